// cuda_backend.cu - the DeviceBackend of Device::CUDA (tensor/device.h): stream-ordered memory
// from the device's default memory pool, copies, memset, and the stream + cuBLAS handle that every
// kernel uses. Created lazily by init_backend() (called from tensor/device.cpp).
//
// Memory: cudaMallocAsync/cudaFreeAsync on our one stream. The pool's release threshold is
// "never", so memory freed by one training step is cached and handed to the next step without
// a cudaMalloc (the stream ordering makes reuse safe without synchronizing).
// Host -> device copies go through two pinned staging buffers: the host bytes are memcpy'd into
// pinned memory and the DMA is enqueued, so the call returns without waiting for the GPU and the
// caller may free its buffer at once. Device -> host copies synchronize the stream (the caller
// reads the bytes right after).
// Synchronizations: every host wait on the stream goes through wait_for_stream(), which counts it
// (cuda_host_syncs(): a training step that reads nothing must leave the count unchanged) and
// raises the errors kernels deferred to it (deferred_error.h). Not counted: copy_from_host waiting
// for the DMA out of a staging buffer two copies back (back-pressure that lets the host run about
// one batch upload ahead, not a drain of the stream).
//
// Not a kernel. The naive backend would cudaMalloc / cudaFree each tensor (both synchronize the
// device and cost ~ms); the stream-ordered pool makes a step's allocations free after the first
// step.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/deferred_error.h"
#include "tensor/device.h"
#include "tensor/error.h"

namespace dl::cuda {

namespace {

constexpr size_t kStagingBytes = 4u << 20;  // per staging buffer; larger copies go in chunks

class CudaBackend final : public DeviceBackend {
 public:
  explicit CudaBackend(int device) : device_(device) {
    CUDA_CHECK(cudaSetDevice(device));
    CUDA_CHECK(cudaGetDeviceProperties(&props_, device));
    int pools = 0;
    CUDA_CHECK(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device));
    DL_CHECK(pools != 0, "CUDA device ", device, " (", props_.name,
             ") does not support stream-ordered memory pools (cudaMallocAsync)");
    // A blocking stream: it still orders against the legacy default stream, so code that uses
    // the default stream (cuDNN in the benchmarks, for example) cannot race with ours.
    CUDA_CHECK(cudaStreamCreate(&stream_));
    CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool_, device));
    uint64_t keep_everything = UINT64_MAX;
    CUDA_CHECK(cudaMemPoolSetAttribute(pool_, cudaMemPoolAttrReleaseThreshold, &keep_everything));
    CUBLAS_CHECK(cublasCreate(&cublas_));
    CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
    // Plain FP32 (no TF32 tensor cores) unless set_tf32(true): results match the CPU backend to
    // float rounding.
    CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
    for (Staging& s : staging_) {
      CUDA_CHECK(cudaHostAlloc(&s.host, kStagingBytes, cudaHostAllocDefault));
      CUDA_CHECK(cudaEventCreateWithFlags(&s.done, cudaEventDisableTiming));
    }
    errors_ = std::make_unique<DeferredErrors>();
  }

  void* allocate(size_t bytes) override {
    const size_t size = std::max<size_t>(bytes, 1);
    void* p = nullptr;
    cudaError_t err = cudaMallocAsync(&p, size, stream_);
    if (err == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // clear it, then give cached memory back and try once more
      wait_for_stream("allocate: retrying after out of memory");
      CUDA_CHECK(cudaMemPoolTrimTo(pool_, 0));
      err = cudaMallocAsync(&p, size, stream_);
    }
    if (err == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      size_t free_b = 0, total_b = 0;
      (void)cudaMemGetInfo(&free_b, &total_b);
      DL_FAIL("out of CUDA memory: failed to allocate ", bytes, " bytes (", bytes >> 20, " MiB) on ",
              props_.name, "; tensors hold ", stats().bytes_in_use >> 20, " MiB, the device has ",
              free_b >> 20, " of ", total_b >> 20, " MiB free");
    }
    CUDA_CHECK(err);
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.bytes_in_use += size;
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    return p;
  }

  // Called from destructors (Storage, ScratchBuffer), so it never throws. At process exit the
  // runtime may already be unloaded; that is not an error.
  void deallocate(void* ptr, size_t bytes) override {
    if (!ptr) return;
    const cudaError_t err = cudaFreeAsync(ptr, stream_);
    if (err == cudaErrorCudartUnloading || err == cudaErrorContextIsDestroyed) return;
    if (err != cudaSuccess)
      std::fprintf(stderr, "dl: cudaFreeAsync(%p, %zu bytes) failed: %s\n", ptr, bytes, cudaGetErrorString(err));
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.bytes_in_use -= std::min(stats_.bytes_in_use, std::max<size_t>(bytes, 1));
  }

  void copy_to_host(void* dst_host, const void* src, size_t n) override {
    if (n == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst_host, src, n, cudaMemcpyDeviceToHost, stream_));
    wait_for_stream("copy_to_host: a read of device values, e.g. item() or to_vector()");
  }

  void copy_from_host(void* dst, const void* src_host, size_t n) override {
    if (n == 0) return;
    std::lock_guard<std::mutex> lock(staging_mu_);
    for (size_t done = 0; done < n;) {
      const size_t chunk = std::min(kStagingBytes, n - done);
      Staging& s = staging_[next_staging_];
      next_staging_ ^= 1;
      CUDA_CHECK(cudaEventSynchronize(s.done));  // the previous DMA out of this buffer has finished
      std::memcpy(s.host, static_cast<const char*>(src_host) + done, chunk);
      CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + done, s.host, chunk, cudaMemcpyHostToDevice, stream_));
      CUDA_CHECK(cudaEventRecord(s.done, stream_));
      done += chunk;
    }
  }

  void copy_within(void* dst, const void* src, size_t n) override {
    if (n == 0) return;
    CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, stream_));
  }

  void set_zero(void* ptr, size_t n) override {
    if (n == 0) return;
    CUDA_CHECK(cudaMemsetAsync(ptr, 0, n, stream_));
  }

  void synchronize() override { wait_for_stream("synchronize"); }

  void release_cached() override {
    wait_for_stream("release_cached");
    CUDA_CHECK(cudaMemPoolTrimTo(pool_, 0));
  }

  CudaMemoryStats stats() {
    CudaMemoryStats s;
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      s = stats_;
    }
    uint64_t reserved = 0;
    if (cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrReservedMemCurrent, &reserved) == cudaSuccess)
      s.pool_reserved = reserved;
    return s;
  }

  // The one place the host waits for the stream: counted, then deferred kernel errors raised.
  void wait_for_stream(const char* why) {
    errors_->enqueue_readback(stream_);
    CUDA_CHECK(cudaStreamSynchronize(stream_));
    host_syncs_.fetch_add(1, std::memory_order_relaxed);
    errors_->raise_if_reported(stream_, why);
  }
  uint64_t host_syncs() const { return host_syncs_.load(std::memory_order_relaxed); }

  void set_tf32(bool on) {
    CUBLAS_CHECK(cublasSetMathMode(cublas_, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    tf32_ = on;
  }
  bool tf32() const { return tf32_; }

  cudaStream_t stream() const { return stream_; }
  cublasHandle_t cublas() const { return cublas_; }
  const cudaDeviceProp& props() const { return props_; }
  DeferredErrorRecord* error_slot() const { return errors_->device_slot(); }

 private:
  struct Staging {
    void* host = nullptr;
    cudaEvent_t done = nullptr;  // recorded after the DMA that reads this buffer
  };
  int device_;
  cudaDeviceProp props_{};
  cudaStream_t stream_ = nullptr;
  cudaMemPool_t pool_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  std::mutex staging_mu_;
  Staging staging_[2];
  int next_staging_ = 0;
  std::mutex stats_mu_;
  CudaMemoryStats stats_;
  std::unique_ptr<DeferredErrors> errors_;  // created after cudaSetDevice
  std::atomic<uint64_t> host_syncs_{0};
  bool tf32_ = false;
};

// Leaked on purpose, like the CPU backend: tensors in static objects may be freed after main().
std::atomic<CudaBackend*> g_backend{nullptr};

CudaBackend& instance() {
  init_backend();
  CudaBackend* b = g_backend.load(std::memory_order_acquire);
  if (!b) backend(Device::CUDA);  // throws "CUDA device requested but not available: <why>"
  return *b;
}

}  // namespace

void init_backend() {
  static std::once_flag once;
  std::call_once(once, [] {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      register_backend(Device::CUDA, nullptr,
                       detail::concat("no usable GPU (cudaGetDeviceCount: ", cudaGetErrorName(err), ": ",
                                      cudaGetErrorString(err), ")"));
      return;
    }
    if (count == 0) {
      register_backend(Device::CUDA, nullptr, "no usable GPU (cudaGetDeviceCount found 0 devices)");
      return;
    }
    try {
      auto* b = new CudaBackend(0);  // the first visible device; choose with CUDA_VISIBLE_DEVICES
      g_backend.store(b, std::memory_order_release);
      register_backend(Device::CUDA, b);
    } catch (const std::exception& e) {
      register_backend(Device::CUDA, nullptr, detail::concat("CUDA initialization failed: ", e.what()));
    }
  });
}

cudaStream_t stream() { return instance().stream(); }
cublasHandle_t cublas() { return instance().cublas(); }
const cudaDeviceProp& device_properties() { return instance().props(); }
CudaMemoryStats cuda_memory_stats() { return instance().stats(); }
uint64_t cuda_host_syncs() { return instance().host_syncs(); }
void synchronize_stream(const char* why) { instance().wait_for_stream(why); }
DeferredErrorRecord* deferred_error_slot() { return instance().error_slot(); }

void set_tf32(bool on) { instance().set_tf32(on); }
bool tf32_enabled() { return instance().tf32(); }
Tf32Scope::Tf32Scope(bool on) : previous_(tf32_enabled()) { set_tf32(on); }
Tf32Scope::~Tf32Scope() {
  try {
    set_tf32(previous_);
  } catch (const std::exception& e) {  // a destructor must not throw; cuBLAS failing here is fatal elsewhere
    std::fprintf(stderr, "dl: restoring the cuBLAS math mode failed: %s\n", e.what());
  }
}

ScratchBuffer::ScratchBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes > 0) ptr_ = instance().allocate(bytes);
}
ScratchBuffer::~ScratchBuffer() {
  if (ptr_) g_backend.load()->deallocate(ptr_, bytes_);
}

}  // namespace dl::cuda
