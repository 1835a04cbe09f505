// bench_reduce.cpp - deterministic sum of all elements (4 B/element read) at 64K and 4M floats,
// and the column sum over dim 0 of (N, C, H, W) (mean over the batch).
#include <benchmark/benchmark.h>

#include "kernels/cpu/reduce.h"
#include "tensor/tensor.h"

namespace {

void BM_sum_all(benchmark::State& state) {
  const int64_t n = state.range(0);
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({n}, -1, 1, gen);
  float out = 0;
  for (auto _ : state) {
    dl::cpu::sum_all_forward(&out, x.data(), n, 1.0f);
    benchmark::DoNotOptimize(out);
  }
  state.counters["GB/s"] = benchmark::Counter(4.0 * n, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_sum_all)->Arg(1 << 16)->Arg(1 << 22)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_sum_dim0_nchw(benchmark::State& state) {  // (64, 64, 32, 32) -> (64, 32, 32)
  dl::Generator gen(2);
  dl::Tensor x = dl::rand_uniform({64, 64, 32, 32}, -1, 1, gen);
  dl::Tensor out = dl::zeros({64, 32, 32});
  for (auto _ : state) {
    dl::cpu::sum_dim_forward(out.data(), x.data(), 1, 64, 64 * 32 * 32, 1.0f);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GB/s"] = benchmark::Counter(4.0 * x.numel(), benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_sum_dim0_nchw)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
