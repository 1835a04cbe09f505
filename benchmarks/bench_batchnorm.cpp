// bench_batchnorm.cpp - batchnorm forward + backward (train mode) at ResNet18 shapes.
// GB/s counts the minimum traffic: forward reads x twice (mean, var) and once more to write y
// (3 reads + 1 write), backward reads x and dy twice and writes dx (4 reads + 1 write):
// 9 * numel * 4 bytes per iteration.
#include <benchmark/benchmark.h>

#include "kernels/cpu/batchnorm.h"
#include "tensor/tensor.h"

namespace {

void BM_batchnorm_fwd_bwd(benchmark::State& state) {
  const int64_t N = state.range(0), C = state.range(1), H = state.range(2), S = H * H;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, C, H, H}, -1, 3, gen), dy = dl::rand_uniform({N, C, H, H}, -1, 1, gen);
  dl::Tensor y = dl::zeros({N, C, H, H}), dx = dl::zeros({N, C, H, H});
  dl::Tensor w = dl::ones({C}), b = dl::zeros({C}), rm = dl::zeros({C}), rv = dl::ones({C});
  dl::Tensor mean = dl::zeros({C}), rstd = dl::zeros({C}), dw = dl::zeros({C}), db = dl::zeros({C});
  for (auto _ : state) {
    dl::cpu::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(), b.data(),
                               N, C, S, true, 0.1f, 1e-5f);
    dl::cpu::batchnorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(),
                                rstd.data(), N, C, S, true);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GB/s"] = benchmark::Counter(9.0 * x.numel() * 4, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_batchnorm_fwd_bwd)
    ->Args({64, 64, 32})
    ->Args({64, 512, 4})
    ->Args({256, 16, 32})  // the width-16 network of benchmarks/compare (sup16, ae16), batch 256
    ->Args({256, 32, 16})
    ->Args({256, 64, 8})
    ->Args({256, 128, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The MLP heads' BatchNorm1d: (256, 512).
void BM_batchnorm1d_fwd_bwd(benchmark::State& state) {
  const int64_t N = state.range(0), C = state.range(1);
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, C}, -1, 3, gen), dy = dl::rand_uniform({N, C}, -1, 1, gen);
  dl::Tensor y = dl::zeros({N, C}), dx = dl::zeros({N, C});
  dl::Tensor w = dl::ones({C}), b = dl::zeros({C}), rm = dl::zeros({C}), rv = dl::ones({C});
  dl::Tensor mean = dl::zeros({C}), rstd = dl::zeros({C}), dw = dl::zeros({C}), db = dl::zeros({C});
  for (auto _ : state) {
    dl::cpu::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(), b.data(),
                               N, C, 1, true, 0.1f, 128.0f);
    dl::cpu::batchnorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(),
                                rstd.data(), N, C, 1, true);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GB/s"] = benchmark::Counter(9.0 * x.numel() * 4, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}
BENCHMARK(BM_batchnorm1d_fwd_bwd)->Args({256, 512})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
