// bench_conv2d.cu - our im2col + cuBLAS convolution at the ResNet18-CIFAR layer shapes, batch 256.
// TFLOP/s counts 2 N OC OH OW C KH KW per GEMM-equivalent (forward: 1, backward dinp + dweight: 2).
// The cuDNN numbers for the same shapes are in bench_cudnn.cu (tools/gpu_check.sh prints ratios).
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/conv2d.h"

namespace {

using namespace dl;
using namespace dl::bench;

void conv_bench(benchmark::State& state, ConvShape s, bool backward) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, OH = conv_out(s);
  Tensor x = device_tensor({N, s.C, s.H, s.H}, 1), w = device_tensor({s.OC, s.C, s.K, s.K}, 2, -0.1f, 0.1f);
  Tensor y = device_tensor({N, s.OC, OH, OH}, 3), dx = zeros(x.shape(), Device::CUDA), dw = zeros(w.shape(), Device::CUDA);
  if (backward)
    time_loop(state, [&] {
      cuda::conv2d_backward(dx.data(), dw.data(), nullptr, y.data(), x.data(), w.data(), N, s.C, s.H, s.H, s.OC, s.K,
                            s.K, s.stride, s.pad);
    });
  else
    time_loop(state, [&] {
      cuda::conv2d_forward(y.data(), x.data(), w.data(), nullptr, N, s.C, s.H, s.H, s.OC, s.K, s.K, s.stride, s.pad);
    });
  set_flops(state, (backward ? 4.0 : 2.0) * N * s.OC * OH * OH * s.C * s.K * s.K);
}

const bool registered = [] {
  for (const ConvShape& s : resnet18_convs()) {
    benchmark::RegisterBenchmark((std::string("BM_cuda_conv_fwd/") + s.name).c_str(), conv_bench, s, false)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_cuda_conv_bwd/") + s.name).c_str(), conv_bench, s, true)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
