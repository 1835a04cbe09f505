// bench_nt_xent.cpp - the fused contrastive losses, forward + backward, at SimCLR's batch
// (N = 256 per view, D = 128). GFLOP/s counts the GEMMs only: cross-view 3 x 2 N^2 D
// (S, de1, de2); NT-Xent over 2N rows 2 x 2 (2N)^2 D (S), and 2 x 2 (2N)^2 D for dz = (dS + dS^T) z (GEMMs on dS and dS^T, 4 blocks each).
#include <benchmark/benchmark.h>

#include "kernels/cpu/nt_xent.h"
#include "tensor/tensor.h"

namespace {

void BM_nt_xent_cross_view_fwd_bwd(benchmark::State& state) {
  const int64_t N = state.range(0), D = state.range(1);
  dl::Generator gen(1);
  dl::Tensor e1 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen), e2 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen);
  dl::Tensor dS = dl::zeros({N, N}), de1 = dl::zeros({N, D}), de2 = dl::zeros({N, D});
  dl::Tensor loss = dl::zeros({}), dloss = dl::ones({});
  for (auto _ : state) {
    dl::cpu::nt_xent_cross_view_forward(loss.data(), dS.data(), e1.data(), e2.data(), N, D, 0.1f);
    dl::cpu::nt_xent_cross_view_backward(de1.data(), de2.data(), dloss.data(), e1.data(), e2.data(), dS.data(), N,
                                         D, 0.1f);
    benchmark::DoNotOptimize(de2.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(3.0 * 2 * N * N * D, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}
BENCHMARK(BM_nt_xent_cross_view_fwd_bwd)->Args({256, 128})->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_nt_xent_fwd_bwd(benchmark::State& state) {
  const int64_t N = state.range(0), D = state.range(1), R = 2 * N;
  dl::Generator gen(1);
  dl::Tensor z1 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen), z2 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen);
  dl::Tensor dS = dl::zeros({R, R}), dz1 = dl::zeros({N, D}), dz2 = dl::zeros({N, D});
  dl::Tensor loss = dl::zeros({}), dloss = dl::ones({});
  for (auto _ : state) {
    dl::cpu::nt_xent_forward(loss.data(), dS.data(), z1.data(), z2.data(), N, D, 0.1f);
    dl::cpu::nt_xent_backward(dz1.data(), dz2.data(), dloss.data(), z1.data(), z2.data(), dS.data(), N, D, 0.1f);
    benchmark::DoNotOptimize(dz2.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(3.0 * 2 * R * R * D, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}
BENCHMARK(BM_nt_xent_fwd_bwd)->Args({256, 128})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
