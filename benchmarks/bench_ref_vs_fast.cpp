// bench_ref_vs_fast.cpp - what the fast CPU kernels buy over the reference kernels (kernels/ref),
// side by side in one run: each benchmark takes the kernel set as its first argument
// (kernels:0 = ref, kernels:1 = fast), then the shape. Run with the fast kernels on one thread
// for a per-core ratio (the reference is single-threaded by design):
//   OMP_NUM_THREADS=1 ./build/cpu/benchmarks/dl_bench --benchmark_filter=ref_vs_fast
// Shapes: ResNet18-CIFAR at width 64, batch 64 (stem 3 -> 64, 3x3 64 -> 64 at 32x32, 3x3 stride 2
// 64 -> 128, 3x3 512 -> 512 at 4x4); batchnorm on (64, 64, 32, 32); NT-Xent at batch 256, D 128.
#include <benchmark/benchmark.h>

#include "kernels/cpu/batchnorm.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/nt_xent.h"
#include "kernels/ref/batchnorm.h"
#include "kernels/ref/conv2d.h"
#include "kernels/ref/nt_xent.h"
#include "tensor/tensor.h"

namespace {

struct ConvCase {
  int64_t C, HW, OC, K, stride;
};
constexpr ConvCase kConvCases[] = {{3, 32, 64, 3, 1}, {64, 32, 64, 3, 1}, {64, 32, 128, 3, 2}, {512, 4, 512, 3, 1}};
constexpr int64_t kBatch = 64;

// Forward then backward (dinp, dweight, dbias) of one convolution: 3 x 2 N OC OH OW C K K flops.
void BM_ref_vs_fast_conv2d(benchmark::State& state) {
  const bool fast = state.range(0) == 1;
  const ConvCase c = kConvCases[state.range(1)];
  const int64_t pad = c.K / 2, O = (c.HW + 2 * pad - c.K) / c.stride + 1;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({kBatch, c.C, c.HW, c.HW}, -1, 1, gen);
  dl::Tensor w = dl::rand_uniform({c.OC, c.C, c.K, c.K}, -0.05f, 0.05f, gen), b = dl::zeros({c.OC});
  dl::Tensor y = dl::zeros({kBatch, c.OC, O, O}), dy = dl::rand_uniform({kBatch, c.OC, O, O}, -1, 1, gen);
  dl::Tensor dx = dl::zeros(x.shape()), dw = dl::zeros(w.shape()), db = dl::zeros({c.OC});
  auto fwd = fast ? dl::cpu::conv2d_forward : dl::ref::conv2d_forward;
  auto bwd = fast ? dl::cpu::conv2d_backward : dl::ref::conv2d_backward;
  for (auto _ : state) {
    fwd(y.data(), x.data(), w.data(), b.data(), kBatch, c.C, c.HW, c.HW, c.OC, c.K, c.K, c.stride, pad);
    bwd(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), kBatch, c.C, c.HW, c.HW, c.OC, c.K, c.K,
        c.stride, pad);
  }
  const double flops = 3.0 * 2 * kBatch * c.OC * O * O * c.C * c.K * c.K;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.SetLabel(fast ? "fast" : "ref");
}
BENCHMARK(BM_ref_vs_fast_conv2d)
    ->ArgNames({"kernels", "shape"})
    ->ArgsProduct({{0, 1}, {0, 1, 2, 3}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(0.2);

// Training-mode batchnorm + ReLU forward and backward on (64, 64, 32, 32).
void BM_ref_vs_fast_batchnorm(benchmark::State& state) {
  const bool fast = state.range(0) == 1;
  const int64_t N = 64, C = 64, S = 32 * 32;
  dl::Generator gen(2);
  dl::Tensor x = dl::rand_uniform({N, C, S}, -1, 3, gen), dy = dl::rand_uniform({N, C, S}, -1, 1, gen);
  dl::Tensor w = dl::ones({C}), b = dl::zeros({C}), rm = dl::zeros({C}), rv = dl::ones({C});
  dl::Tensor y = dl::zeros({N, C, S}), dx = dl::zeros({N, C, S}), mean = dl::zeros({C}), rstd = dl::zeros({C});
  dl::Tensor dw = dl::zeros({C}), db = dl::zeros({C});
  auto fwd = fast ? dl::cpu::batchnorm_relu_forward : dl::ref::batchnorm_relu_forward;
  auto bwd = fast ? dl::cpu::batchnorm_relu_backward : dl::ref::batchnorm_relu_backward;
  for (auto _ : state) {
    fwd(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(), b.data(), N, C, S, true, 0.1f,
        1e-5f);
    bwd(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), b.data(), mean.data(), rstd.data(), N, C, S,
        true);
  }
  state.SetLabel(fast ? "fast" : "ref");
}
BENCHMARK(BM_ref_vs_fast_batchnorm)->ArgNames({"kernels"})->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// SimCLR's NT-Xent forward and backward at batch 256 (512 rows), D 128, tau 0.5.
void BM_ref_vs_fast_nt_xent(benchmark::State& state) {
  const bool fast = state.range(0) == 1;
  const int64_t N = 256, D = 128;
  dl::Generator gen(3);
  dl::Tensor z1 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen), z2 = dl::rand_uniform({N, D}, -0.1f, 0.1f, gen);
  dl::Tensor loss = dl::zeros({1}), dloss = dl::ones({1}), dS = dl::zeros({2 * N, 2 * N});
  dl::Tensor dz1 = dl::zeros({N, D}), dz2 = dl::zeros({N, D});
  auto fwd = fast ? dl::cpu::nt_xent_forward : dl::ref::nt_xent_forward;
  auto bwd = fast ? dl::cpu::nt_xent_backward : dl::ref::nt_xent_backward;
  for (auto _ : state) {
    fwd(loss.data(), dS.data(), z1.data(), z2.data(), N, D, 0.5f);
    bwd(dz1.data(), dz2.data(), dloss.data(), z1.data(), z2.data(), dS.data(), N, D, 0.5f);
  }
  state.SetLabel(fast ? "fast" : "ref");
}
BENCHMARK(BM_ref_vs_fast_nt_xent)->ArgNames({"kernels"})->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
