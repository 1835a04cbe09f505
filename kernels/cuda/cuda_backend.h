// cuda_backend.h - the CUDA device: one stream, one cuBLAS handle bound to it, stream-ordered
// memory. Every CUDA kernel of the framework runs on dl::cuda::stream(), so work is ordered
// without explicit synchronization; host copies synchronize that stream.
//
// The backend is created on first use (tensor/device.cpp calls init_backend() whenever
// Device::CUDA is asked for); with no usable GPU it registers the reason instead, and
// backend(Device::CUDA) throws "CUDA device requested but not available: <reason>".
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace dl::cuda {

// Idempotent and thread-safe; never throws (a failure is recorded as the unavailability reason).
void init_backend();

// The stream and cuBLAS handle every kernel uses; throw dl::Error if CUDA is not available.
cudaStream_t stream();
cublasHandle_t cublas();

// Device properties of the GPU in use (number of SMs sizes the reduction grids).
const cudaDeviceProp& device_properties();

struct CudaMemoryStats {
  size_t bytes_in_use = 0;       // handed out to live tensors and scratch buffers
  size_t peak_bytes_in_use = 0;
  size_t pool_reserved = 0;      // held by the memory pool (includes cached free memory)
};
CudaMemoryStats cuda_memory_stats();

// Host synchronizations with the stream since the backend started: every wait the framework makes
// (copy_to_host, i.e. item() and to_vector(); synchronize; release_cached; the LARS norms) is one.
// The driver's own implicit waits (a cudaMalloc inside a library) are not seen. A training step
// that prints nothing leaves it unchanged (docs/profiling.md, "Where a CUDA training step waits").
uint64_t cuda_host_syncs();
// Waits for the stream (counted) and raises any error a kernel deferred (deferred_error.h); `why`
// names the caller in that error.
void synchronize_stream(const char* why);

// cuBLAS math mode for every GEMM (matmul, linear, the convolutions' im2col GEMMs): false = FP32
// (CUBLAS_DEFAULT_MATH, the default: results match the CPU backend to float rounding); true = TF32
// tensor cores (CUBLAS_TF32_TENSOR_OP_MATH: inputs rounded to 10 mantissa bits, FP32 accumulation;
// several times the FP32 GEMM rate on A100/H100, relative error ~1e-3 per product). train --tf32.
void set_tf32(bool on);
bool tf32_enabled();
// Sets the mode for a scope and restores the previous one.
class Tf32Scope {
 public:
  explicit Tf32Scope(bool on);
  ~Tf32Scope();
  Tf32Scope(const Tf32Scope&) = delete;
  Tf32Scope& operator=(const Tf32Scope&) = delete;

 private:
  bool previous_;
};

// A temporary device buffer (per-block partials, im2col columns): allocated from the pool on the
// stream and freed on the stream when it goes out of scope, so it stays valid for every kernel
// enqueued before the destructor runs.
class ScratchBuffer {
 public:
  explicit ScratchBuffer(size_t bytes);
  ~ScratchBuffer();
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  template <typename T>
  T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace dl::cuda
