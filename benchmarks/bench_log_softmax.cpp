// bench_log_softmax.cpp - row-wise log-softmax forward and backward at (256, 10) (the probe's
// logits) and (512, 512) (NT-Xent similarity rows). GB/s: forward 8 B/element (read x, write y),
// backward 12 B/element (read dout and y, write dinp). One exp per element each way.
#include <benchmark/benchmark.h>

#include "kernels/cpu/log_softmax.h"
#include "tensor/tensor.h"

namespace {

void BM_log_softmax_forward(benchmark::State& state) {
  const int64_t N = state.range(0), D = state.range(1);
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, D}, -5, 5, gen), y = dl::zeros({N, D});
  for (auto _ : state) {
    dl::cpu::log_softmax_forward(y.data(), x.data(), N, D);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GB/s"] = benchmark::Counter(8.0 * N * D, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_log_softmax_forward)->Args({256, 10})->Args({512, 512})->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_log_softmax_backward(benchmark::State& state) {
  const int64_t N = state.range(0), D = state.range(1);
  dl::Generator gen(2);
  dl::Tensor x = dl::rand_uniform({N, D}, -5, 5, gen), y = dl::zeros({N, D});
  dl::Tensor dout = dl::rand_uniform({N, D}, -1, 1, gen), dx = dl::zeros({N, D});
  dl::cpu::log_softmax_forward(y.data(), x.data(), N, D);
  for (auto _ : state) {
    dl::cpu::log_softmax_backward(dx.data(), dout.data(), y.data(), N, D);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GB/s"] = benchmark::Counter(12.0 * N * D, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_log_softmax_backward)->Args({256, 10})->Args({512, 512})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
