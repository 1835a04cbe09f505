// bench_encoder.cpp - forward + backward of the CIFAR ResNet18 encoder (nn/resnet_encoder.h) on
// 32x32 images, batch 64, train mode (batch-stat BN), on the CPU. Reports images/s and the
// convolution GFLOP/s: forward conv FLOPs = sum over convs of 2 N OC C K^2 OH OW, backward twice
// that (input and weight gradients), so one step is ~3x the forward FLOPs.
#include <benchmark/benchmark.h>

#include <string>

#include "nn/resnet_encoder.h"

namespace {

// Convolution FLOPs of one forward pass: a conv under "layerL." produces maps of H / 2^(L-1).
double encoder_forward_flops(const dl::nn::ResNetEncoder& enc, int64_t N, int64_t H, int64_t W) {
  double flops = 0;
  for (const auto& [name, p] : enc.named_parameters()) {
    if (p.ndim() != 4) continue;
    int64_t scale = 1;
    if (name.rfind("layer", 0) == 0) scale = int64_t{1} << (name[5] - '1');
    flops += 2.0 * N * p.size(0) * p.size(1) * p.size(2) * p.size(3) * (H / scale) * (W / scale);
  }
  return flops;
}

void BM_encoder_fwd_bwd(benchmark::State& state) {
  const int64_t width = state.range(0), N = state.range(1);
  dl::Generator gen(1);
  dl::nn::ResNetEncoder enc(width, gen);
  const dl::Tensor x = dl::rand_uniform({N, 3, 32, 32}, -1, 1, gen);
  const dl::Tensor seed = dl::rand_uniform({N, enc.output_dim()}, -1, 1, gen);
  for (auto _ : state) {
    enc.zero_grad();
    dl::Tensor feats = enc(x);
    dl::backward(feats, seed);
    benchmark::DoNotOptimize(enc.conv1->weight.grad().data());
  }
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(N), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(3.0 * encoder_forward_flops(enc, N, 32, 32),
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.SetLabel("width " + std::to_string(width) + ", " + std::to_string(enc.num_parameters()) + " params");
}
BENCHMARK(BM_encoder_fwd_bwd)
    ->Args({16, 64})
    ->Args({64, 64})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
