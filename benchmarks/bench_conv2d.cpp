// bench_conv2d.cpp - conv2d kernels at the ResNet18-CIFAR 3x3 stride-1 pad-1 shapes, batch 64
// (C -> C at 32x32, 16x16, 8x8, 4x4 for C = 64, 128, 256, 512: every shape is 4.8 GFLOP forward).
// GFLOP/s with forward = 2 N OC OH OW C KH KW flops and backward (dinp + dweight) twice that.
// Plus the Winograd forward and weight gradient against the packed direct ones (batch 256,
// BM_conv2d_winograd_ab, BM_conv2d_winograd_wgrad_ab), and
// upsample_nearest2x and global_avg_pool in GB/s (bytes read + written).
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>

#include "kernels/cpu/avgpool.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/conv2d_wgrad_packed.h"
#include "kernels/cpu/conv2d_winograd.h"
#include "kernels/cpu/upsample.h"
#include "tensor/tensor.h"

namespace {

constexpr int64_t kBatch = 64;

struct ConvBuffers {
  int64_t N, C, HW;
  dl::Tensor x, w, y, dy, dx, dw;
  explicit ConvBuffers(int64_t c, int64_t hw) : N(kBatch), C(c), HW(hw) {
    dl::Generator gen(1);
    x = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen);
    w = dl::rand_uniform({C, C, 3, 3}, -0.05f, 0.05f, gen);
    y = dl::zeros({N, C, HW, HW});
    dy = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen);
    dx = dl::zeros({N, C, HW, HW});
    dw = dl::zeros({C, C, 3, 3});
  }
  double fwd_flops() const { return 2.0 * N * C * HW * HW * C * 9; }
  void forward() { dl::cpu::conv2d_forward(y.data(), x.data(), w.data(), nullptr, N, C, HW, HW, C, 3, 3, 1, 1); }
  void backward() {
    dl::cpu::conv2d_backward(dx.data(), dw.data(), nullptr, dy.data(), x.data(), w.data(), N, C, HW, HW, C, 3, 3,
                             1, 1);
  }
};

void set_rate(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_conv2d_forward(benchmark::State& state) {
  ConvBuffers b(state.range(0), state.range(1));
  for (auto _ : state) b.forward();
  set_rate(state, b.fwd_flops());
  state.SetLabel(dl::cpu::blas_description());
}

void BM_conv2d_backward(benchmark::State& state) {
  ConvBuffers b(state.range(0), state.range(1));
  for (auto _ : state) b.backward();
  set_rate(state, 2 * b.fwd_flops());
}

void BM_conv2d_fwd_bwd(benchmark::State& state) {
  ConvBuffers b(state.range(0), state.range(1));
  for (auto _ : state) {
    b.forward();
    b.backward();
  }
  set_rate(state, 3 * b.fwd_flops());
}

void resnet_shapes(benchmark::internal::Benchmark* bm) {
  bm->ArgNames({"C", "HW"})->Args({64, 32})->Args({128, 16})->Args({256, 8})->Args({512, 4});
  bm->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(0.5);
}
BENCHMARK(BM_conv2d_forward)->Apply(resnet_shapes);
BENCHMARK(BM_conv2d_backward)->Apply(resnet_shapes);
BENCHMARK(BM_conv2d_fwd_bwd)->Apply(resnet_shapes);

// Times run(true) and run(false) (each returns its wall seconds) back to back in every iteration,
// alternating which goes first, so that a drifting machine slows both alike; the iteration's
// manual time is the pair. Returns the summed times of each side and the iteration count.
struct AbTimes {
  double on = 0, off = 0;
  int64_t iterations = 0;
};
template <class Run>
AbTimes alternate_ab(benchmark::State& state, Run run) {
  AbTimes t;
  for (auto _ : state) {
    double a, b;
    if (t.iterations++ % 2 == 0) a = run(true), b = run(false);
    else b = run(false), a = run(true);
    t.on += a, t.off += b;
    state.SetIterationTime(a + b);
  }
  return t;
}

// ---- packed (ours) vs old path (OpenBLAS) A/B, alternating within each iteration ------------------
// Every convolution of ResNet18-CIFAR at width w: the stem (3 -> w, 32x32), the 3x3 stride-1
// C -> C at 32x32, 16x16, 8x8, 4x4 for C = w, 2w, 4w, 8w, and the stride-2 C -> 2C (3x3 pad 1 and
// the 1x1 shortcut) from 32x32, 16x16, 8x8; batch N. mode 0: the weight gradient
// alone (dinp null), mode 1: the whole backward (dinp + dweight). Each iteration runs the backward
// with the packed weight gradient and with the old one (im2col + OpenBLAS; set_packed_wgrad_enabled)
// back to back, alternating which goes first;
// counters: new_ms, old_ms and ratio = new / old (wall time per call), cpu_ratio = the same for the
// process CPU time. Loose on a loaded machine: compare ratios, not absolute times.
void BM_conv2d_backward_ab(benchmark::State& state) {
  const int64_t C = state.range(0), OC = state.range(1), HW = state.range(2), N = state.range(3);
  const bool with_dinp = state.range(4) == 1;
  const int64_t k = state.range(5), s = state.range(6), pad = k / 2, OHW = (HW + 2 * pad - k) / s + 1;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen), w = dl::rand_uniform({OC, C, k, k}, -0.05f, 0.05f, gen);
  dl::Tensor dy = dl::rand_uniform({N, OC, OHW, OHW}, -1, 1, gen), dx = dl::zeros({N, C, HW, HW}),
             dw = dl::zeros({OC, C, k, k});
  double cpu_new = 0, cpu_old = 0;  // process CPU time (all threads): steadier than wall time under load
  auto run = [&](bool packed) {
    dl::cpu::set_packed_wgrad_enabled(packed);
    timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    const auto t0 = std::chrono::steady_clock::now();
    dl::cpu::conv2d_backward(with_dinp ? dx.data() : nullptr, dw.data(), nullptr, dy.data(), x.data(), w.data(), N, C,
                             HW, HW, OC, k, k, s, pad);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    (packed ? cpu_new : cpu_old) += (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
    return wall;
  };
  const AbTimes t = alternate_ab(state, run);
  const double t_new = t.on, t_old = t.off;
  const int64_t it = t.iterations;
  dl::cpu::set_packed_wgrad_enabled(true);
  state.counters["new_ms"] = 1e3 * t_new / it;
  state.counters["old_ms"] = 1e3 * t_old / it;
  state.counters["ratio"] = t_new / t_old;
  state.counters["cpu_ratio"] = cpu_new / cpu_old;
  state.counters["new_GFLOP/s"] = 2.0 * N * OC * OHW * OHW * C * k * k * (with_dinp ? 2 : 1) * it / t_new * 1e-9;
}

void resnet_backward_shapes(benchmark::internal::Benchmark* bm) {
  bm->ArgNames({"C", "OC", "HW", "N", "dinp", "k", "s"});  // HW: input; k x k kernel, pad k / 2, stride s
  for (int64_t mode : {0, 1})
    for (int64_t n : {64})
      for (int64_t w : {16, 64}) {
        bm->Args({3, w, 32, n, mode, 3, 1});
        for (int64_t m : {1, 2, 4, 8}) bm->Args({w * m, w * m, 32 / m, n, mode, 3, 1});
        for (int64_t m : {1, 2, 4})  // the downsampling convs and their 1x1 shortcuts
          for (int64_t k : {3, 1}) bm->Args({w * m, 2 * w * m, 32 / m, n, mode, k, 2});
      }
  bm->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);
}
BENCHMARK(BM_conv2d_backward_ab)->Apply(resnet_backward_shapes);

// ---- Winograd F(2x2, 3x3) against the packed direct paths, alternating within each iteration ---
// The 3x3 stride-1 pad-1 C -> C convolution at the planes where ResNet18-CIFAR has C channels at
// width 64 (C = 64 .. 512) and width 16 (C = 16 .. 128), batch 256 (the compare benchmarks' batch).
// `call(true)` runs the Winograd kernel directly (also below the plan's 64 channels), `call(false)`
// the direct path (the plan with Winograd switched off). Counters: wino_ms and direct_ms (wall time
// per call), ratio = wino / direct; GFLOP/s counts the direct convolution's FLOPs for both
// (2 N C C H W 9), so Winograd's reads as an effective rate.
template <class Call>
void winograd_ab(benchmark::State& state, int64_t N, int64_t C, int64_t HW, Call call) {
  dl::cpu::set_winograd_enabled(false);
  auto run = [&](bool winograd) {
    const auto t0 = std::chrono::steady_clock::now();
    call(winograd);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const AbTimes t = alternate_ab(state, run);
  const double t_wino = t.on, t_direct = t.off;
  const int64_t it = t.iterations;
  dl::cpu::set_winograd_enabled(true);
  const double flops = 2.0 * N * C * C * HW * HW * 9;
  state.counters["wino_ms"] = 1e3 * t_wino / it;
  state.counters["direct_ms"] = 1e3 * t_direct / it;
  state.counters["ratio"] = t_wino / t_direct;
  state.counters["wino_GFLOP/s"] = flops * it / t_wino * 1e-9;
  state.counters["direct_GFLOP/s"] = flops * it / t_direct * 1e-9;
}

// The forward against the packed direct forward.
void BM_conv2d_winograd_ab(benchmark::State& state) {
  const int64_t C = state.range(0), HW = state.range(1), N = 256;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen), w = dl::rand_uniform({C, C, 3, 3}, -0.05f, 0.05f, gen);
  dl::Tensor y = dl::zeros({N, C, HW, HW});
  winograd_ab(state, N, C, HW, [&](bool winograd) {
    if (winograd) dl::cpu::conv2d_forward_winograd(y.data(), x.data(), w.data(), nullptr, N, C, HW, HW, C);
    else dl::cpu::conv2d_forward(y.data(), x.data(), w.data(), nullptr, N, C, HW, HW, C, 3, 3, 1, 1);
  });
}
BENCHMARK(BM_conv2d_winograd_ab)
    ->ArgNames({"C", "HW"})
    ->Args({64, 32})->Args({128, 16})->Args({256, 8})->Args({512, 4})
    ->Args({16, 32})->Args({32, 16})->Args({64, 8})->Args({128, 4})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);

// The weight gradient alone against the packed panels (conv2d_backward with dinp null).
void BM_conv2d_winograd_wgrad_ab(benchmark::State& state) {
  const int64_t C = state.range(0), HW = state.range(1), N = 256;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen), dy = dl::rand_uniform({N, C, HW, HW}, -1, 1, gen);
  dl::Tensor w = dl::zeros({C, C, 3, 3}), dw = dl::zeros({C, C, 3, 3});
  winograd_ab(state, N, C, HW, [&](bool winograd) {
    if (winograd) dl::cpu::conv2d_weight_grad_winograd(dw.data(), dy.data(), x.data(), N, C, HW, HW, C);
    else
      dl::cpu::conv2d_backward(nullptr, dw.data(), nullptr, dy.data(), x.data(), w.data(), N, C, HW, HW, C, 3, 3, 1,
                               1);
  });
}
BENCHMARK(BM_conv2d_winograd_wgrad_ab)
    ->ArgNames({"C", "HW"})
    ->Args({64, 32})->Args({128, 16})->Args({256, 8})->Args({512, 4})
    ->Args({64, 8})->Args({128, 4})->Args({32, 16})
    ->Unit(benchmark::kMillisecond)->UseManualTime()->MinTime(1.0);

// ---- upsample / avgpool: memory-bound, GB/s of bytes read + written ---------------------------
void set_bandwidth(benchmark::State& state, double bytes) {
  state.counters["GB/s"] =
      benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

// (64, C, HW, HW) -> (64, C, 2HW, 2HW): the decoder shapes.
void BM_upsample_nearest2x(benchmark::State& state) {
  const int64_t C = state.range(0), HW = state.range(1), n_in = kBatch * C * HW * HW;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({kBatch, C, HW, HW}, -1, 1, gen), y = dl::zeros({kBatch, C, 2 * HW, 2 * HW});
  const bool backward = state.range(2);
  for (auto _ : state) {
    if (backward) dl::cpu::upsample_nearest2x_backward(x.data(), y.data(), kBatch, C, HW, HW);
    else dl::cpu::upsample_nearest2x_forward(y.data(), x.data(), kBatch, C, HW, HW);
  }
  set_bandwidth(state, 5.0 * n_in * sizeof(float));
}
BENCHMARK(BM_upsample_nearest2x)
    ->ArgNames({"C", "HW", "bwd"})
    ->Args({64, 16, 0})->Args({64, 16, 1})->Args({32, 14, 0})->Args({32, 14, 1})
    ->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(0.3);

// (64, 512, 4, 4) -> (64, 512): the end of ResNet18-CIFAR.
void BM_global_avg_pool(benchmark::State& state) {
  const int64_t C = state.range(0), HW = state.range(1), n_in = kBatch * C * HW * HW;
  dl::Generator gen(1);
  dl::Tensor x = dl::rand_uniform({kBatch, C, HW, HW}, -1, 1, gen), y = dl::zeros({kBatch, C});
  const bool backward = state.range(2);
  for (auto _ : state) {
    if (backward) dl::cpu::global_avg_pool_backward(x.data(), y.data(), kBatch, C, HW, HW);
    else dl::cpu::global_avg_pool_forward(y.data(), x.data(), kBatch, C, HW, HW);
  }
  set_bandwidth(state, (n_in + kBatch * C) * sizeof(float));
}
BENCHMARK(BM_global_avg_pool)
    ->ArgNames({"C", "HW", "bwd"})
    ->Args({512, 4, 0})->Args({512, 4, 1})->Args({64, 32, 0})->Args({64, 32, 1})
    ->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(0.3);

}  // namespace
