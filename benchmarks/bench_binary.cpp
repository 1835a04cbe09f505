// bench_binary.cpp - add with a per-channel b (the conv-bias / batchnorm-shift pattern) at
// (64, 64, 32, 32): forward, and backward (da = dout and db[c] = sum over N, H, W).
// GB/s counts the bytes each kernel must move: forward reads a and writes out (8 B/element);
// backward as autograd runs it (add hands dout itself to a): only db, reading dout (4 B/element).
#include <benchmark/benchmark.h>

#include "kernels/cpu/binary.h"
#include "tensor/tensor.h"

namespace {

constexpr int64_t kN = 64, kC = 64, kHW = 32 * 32;

void BM_add_per_channel_forward(benchmark::State& state) {
  dl::Generator gen(1);
  dl::Tensor a = dl::rand_uniform({kN, kC, 32, 32}, -1, 1, gen), b = dl::rand_uniform({kC}, -1, 1, gen);
  dl::Tensor out = dl::zeros(a.shape());
  for (auto _ : state) {
    dl::cpu::add_forward(out.data(), a.data(), b.data(), kN, kC, kHW);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GB/s"] = benchmark::Counter(8.0 * a.numel(), benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_add_per_channel_forward)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_add_per_channel_backward(benchmark::State& state) {
  dl::Generator gen(2);
  dl::Tensor a = dl::rand_uniform({kN, kC, 32, 32}, -1, 1, gen), b = dl::rand_uniform({kC}, -1, 1, gen);
  dl::Tensor dout = dl::rand_uniform(a.shape(), -1, 1, gen);
  dl::Tensor db = dl::zeros({kC});
  for (auto _ : state) {
    dl::cpu::add_backward(nullptr, db.data(), dout.data(), a.data(), b.data(), kN, kC, kHW);
    benchmark::DoNotOptimize(db.data());
  }
  state.counters["GB/s"] = benchmark::Counter(4.0 * a.numel(), benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_add_per_channel_backward)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
