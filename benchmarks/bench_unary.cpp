// bench_unary.cpp - relu forward + backward on a (64, 64, 32, 32) activation (4M floats).
// GB/s: forward reads x and writes y (8 B/element); backward reads dout and y and writes
// dinp (12 B/element): 20 B/element per iteration.
#include <benchmark/benchmark.h>

#include "kernels/cpu/unary.h"
#include "tensor/tensor.h"

namespace {

void BM_relu_forward_backward(benchmark::State& state) {
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({64, 64, 32, 32}, -1, 1, gen), dout = dl::rand_uniform(x.shape(), -1, 1, gen);
  dl::Tensor y = dl::zeros(x.shape()), dx = dl::zeros(x.shape());
  const int64_t n = x.numel();
  for (auto _ : state) {
    dl::cpu::relu_forward(y.data(), x.data(), n);
    dl::cpu::relu_backward(dx.data(), dout.data(), x.data(), y.data(), n);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GB/s"] = benchmark::Counter(20.0 * n, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_relu_forward_backward)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
