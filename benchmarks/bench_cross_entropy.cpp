// bench_cross_entropy.cpp - fused softmax + cross-entropy forward + backward at the probe's
// shape (256 x 10) and an ImageNet-like one (256 x 1000). GB/s counts logits read twice
// (forward, backward) and dlogits written once: 3 * N * K * 4 bytes.
#include <benchmark/benchmark.h>

#include "kernels/cpu/cross_entropy.h"
#include "tensor/tensor.h"

namespace {

void BM_cross_entropy_fwd_bwd(benchmark::State& state) {
  const int64_t N = state.range(0), K = state.range(1);
  dl::Generator gen(1);
  dl::Tensor logits = dl::rand_uniform({N, K}, -5, 5, gen), dlogits = dl::zeros({N, K});
  std::vector<int32_t> labels(N);
  for (int64_t i = 0; i < N; ++i) labels[i] = static_cast<int32_t>((i * 7) % K);
  dl::Tensor loss = dl::zeros({}), lse = dl::zeros({N}), dloss = dl::ones({});
  for (auto _ : state) {
    dl::cpu::cross_entropy_forward(loss.data(), lse.data(), logits.data(), labels.data(), N, K);
    dl::cpu::cross_entropy_backward(dlogits.data(), dloss.data(), logits.data(), labels.data(), lse.data(), N, K);
    benchmark::DoNotOptimize(dlogits.data());
  }
  state.counters["GB/s"] = benchmark::Counter(3.0 * N * K * 4, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_cross_entropy_fwd_bwd)->Args({256, 10})->Args({256, 1000})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
