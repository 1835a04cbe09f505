// bench_matmul.cpp - sgemm through kernels/cpu/gemm at square sizes; GFLOP/s = 2 n^3 / time.
#include <benchmark/benchmark.h>

#include "kernels/cpu/gemm.h"
#include "tensor/tensor.h"

namespace {

void BM_sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  dl::Generator gen(1);
  dl::Tensor a = dl::rand_uniform({n, n}, -1, 1, gen), b = dl::rand_uniform({n, n}, -1, 1, gen);
  dl::Tensor c = dl::zeros({n, n});
  for (auto _ : state) {
    dl::cpu::gemm(false, false, n, n, n, 1.0f, a.data(), b.data(), 0.0f, c.data());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.SetLabel(dl::cpu::blas_description());
}
BENCHMARK(BM_sgemm)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
