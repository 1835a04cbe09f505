// bench_util.cuh - timing CUDA kernels in Google Benchmark: CUDA events around the work on our
// stream (state.SetIterationTime; register with ->UseManualTime()), the L2 cache flushed before
// every iteration (llm.c dev/cuda style: a cudaMemset larger than L2), and a skip with the reason
// when there is no GPU.
#pragma once
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <string>
#include <vector>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "tensor/device.h"
#include "tensor/tensor.h"

namespace dl::bench {

// Setup data are made once per benchmark, not once per run: Google Benchmark calls a benchmark
// function several times (the iteration-count trials, then each repetition), and drawing tens of
// MB of random numbers on the host each time can cost more than the kernels timed. The k-th
// device_tensor() call of a run looks at slot k: if it holds a pristine tensor drawn with the
// same (shape, seed, lo, hi), the run gets a device-side copy of it (so writes by one run or one
// benchmark never leak into the next); otherwise slot k is drawn anew. require_gpu() starts a
// run (k = 0). Memory: one pristine copy per slot (a few slots of at most 64 MB).
struct SetupSlot {
  Shape shape;
  uint64_t seed = 0;
  float lo = 0, hi = 0;
  Tensor pristine;
};
inline std::vector<SetupSlot>& setup_slots() {
  static std::vector<SetupSlot> slots;
  return slots;
}
inline size_t& next_setup_slot() {
  static size_t k = 0;
  return k;
}

inline bool require_gpu(benchmark::State& state) {
  next_setup_slot() = 0;
  try {
    backend(Device::CUDA);
    return true;
  } catch (const Error& e) {
    state.SkipWithError((std::string("no CUDA device: ") + e.what()).c_str());
    return false;
  }
}

// A random device tensor (uniform [lo, hi)), drawn once per benchmark (see SetupSlot).
inline Tensor device_tensor(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::vector<SetupSlot>& slots = setup_slots();
  const size_t k = next_setup_slot()++;
  if (k >= slots.size()) slots.resize(k + 1);
  SetupSlot& s = slots[k];
  if (!s.pristine.defined() || s.shape != shape || s.seed != seed || s.lo != lo || s.hi != hi) {
    s.pristine = Tensor();  // free the old slot before drawing the new one
    Generator gen(seed);
    s = SetupSlot{shape, seed, lo, hi, rand_uniform(shape, lo, hi, gen, Device::CUDA)};
  }
  return s.pristine.clone();
}

inline void flush_l2() {
  static void* buf = nullptr;
  static size_t bytes = 0;
  if (!buf) {
    bytes = 2 * static_cast<size_t>(cuda::device_properties().l2CacheSize) + (1 << 20);
    CUDA_CHECK(cudaMalloc(&buf, bytes));
  }
  CUDA_CHECK(cudaMemsetAsync(buf, 0, bytes, cuda::stream()));
}

// Times fn() (which enqueues work on cuda::stream()) once per iteration.
template <typename Fn>
void time_loop(benchmark::State& state, Fn fn, bool flush = true) {
  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));
  fn();  // warm-up: first-use allocations, cuBLAS heuristics
  CUDA_CHECK(cudaStreamSynchronize(cuda::stream()));
  for (auto _ : state) {
    if (flush) flush_l2();
    CUDA_CHECK(cudaEventRecord(start, cuda::stream()));
    fn();
    CUDA_CHECK(cudaEventRecord(stop, cuda::stream()));
    CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    state.SetIterationTime(ms * 1e-3);
  }
  CUDA_CHECK(cudaEventDestroy(start));
  CUDA_CHECK(cudaEventDestroy(stop));
}

inline void set_bytes(benchmark::State& state, double bytes) {
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}
inline void set_flops(benchmark::State& state, double flops) {
  state.counters["TFLOP/s"] = benchmark::Counter(flops * 1e-12, benchmark::Counter::kIsIterationInvariantRate);
}

// The convolutions of ResNet18-CIFAR (encoder) at batch 256, named for the report.
struct ConvShape {
  const char* name;
  int64_t C, H, OC, K, stride, pad;
};
inline const std::vector<ConvShape>& resnet18_convs() {
  static const std::vector<ConvShape> v = {
      {"stem_3x32_64", 3, 32, 64, 3, 1, 1},        {"l1_64x32_64", 64, 32, 64, 3, 1, 1},
      {"l2a_64x32_128_s2", 64, 32, 128, 3, 2, 1},  {"l2b_128x16_128", 128, 16, 128, 3, 1, 1},
      {"l2sc_64x32_128_1x1s2", 64, 32, 128, 1, 2, 0}, {"l3a_128x16_256_s2", 128, 16, 256, 3, 2, 1},
      {"l3b_256x8_256", 256, 8, 256, 3, 1, 1},     {"l4a_256x8_512_s2", 256, 8, 512, 3, 2, 1},
      {"l4b_512x4_512", 512, 4, 512, 3, 1, 1},
  };
  return v;
}
inline int64_t conv_out(const ConvShape& s) { return (s.H + 2 * s.pad - s.K) / s.stride + 1; }

// Batch-norm inputs of the encoder at batch 256: (N, C, S).
struct BnShape {
  const char* name;
  int64_t C, S;
};
inline const std::vector<BnShape>& resnet18_bns() {
  static const std::vector<BnShape> v = {
      {"64x32x32", 64, 1024}, {"128x16x16", 128, 256}, {"256x8x8", 256, 64}, {"512x4x4", 512, 16}, {"mlp_512", 512, 1}};
  return v;
}

constexpr int64_t kBatch = 256;

}  // namespace dl::bench
