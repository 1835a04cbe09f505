// bench_l2_normalize.cpp - row L2 normalization of the SimCLR projections (512, 128), forward
// and backward. GB/s: forward 8 B/element (read x, write y), backward 12 B/element (read dout
// and y, write dinp).
#include <benchmark/benchmark.h>

#include "kernels/cpu/l2_normalize.h"
#include "tensor/tensor.h"

namespace {

void BM_l2_normalize(benchmark::State& state) {
  const int64_t N = 512, D = 128;
  const bool backward = state.range(0);
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, D}, -1, 1, gen), y = dl::zeros({N, D}), norm = dl::zeros({N});
  dl::Tensor dout = dl::rand_uniform({N, D}, -1, 1, gen), dx = dl::zeros({N, D});
  dl::cpu::l2_normalize_forward(y.data(), norm.data(), x.data(), N, D, 1e-12f);
  for (auto _ : state) {
    if (backward)
      dl::cpu::l2_normalize_backward(dx.data(), dout.data(), x.data(), y.data(), norm.data(), N, D, 1e-12f);
    else
      dl::cpu::l2_normalize_forward(y.data(), norm.data(), x.data(), N, D, 1e-12f);
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter((backward ? 12.0 : 8.0) * N * D,
                                              benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
  state.SetLabel(backward ? "backward" : "forward");
}
BENCHMARK(BM_l2_normalize)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
