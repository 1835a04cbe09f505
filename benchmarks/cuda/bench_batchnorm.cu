// bench_batchnorm.cu - training-mode batchnorm forward and backward at the encoder's shapes,
// batch 256. GB/s counts the compulsory traffic only (forward: read x, write y; backward: read x
// and dy, write dx), so it compares directly with the device bandwidth and with cuDNN
// (bench_cudnn.cu).
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/batchnorm.h"

namespace {

using namespace dl;
using namespace dl::bench;

void bn_bench(benchmark::State& state, BnShape s, bool backward) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, n = N * s.C * s.S;
  Tensor x = device_tensor({n}, 1), y = device_tensor({n}, 2), dx = zeros({n}, Device::CUDA);
  Tensor w = device_tensor({s.C}, 3, 0.5f, 1.5f), b = device_tensor({s.C}, 4);
  Tensor mean = zeros({s.C}, Device::CUDA), rstd = ones({s.C}, Device::CUDA);
  Tensor rm = zeros({s.C}, Device::CUDA), rv = ones({s.C}, Device::CUDA);
  Tensor dw = zeros({s.C}, Device::CUDA), db = zeros({s.C}, Device::CUDA);
  cuda::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(), b.data(), N,
                          s.C, s.S, true, 0.1f, 1e-5f);
  if (backward)
    time_loop(state, [&] {
      cuda::batchnorm_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(), w.data(), mean.data(),
                               rstd.data(), N, s.C, s.S, true);
    });
  else
    time_loop(state, [&] {
      cuda::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(),
                              b.data(), N, s.C, s.S, true, 0.1f, 1e-5f);
    });
  set_bytes(state, (backward ? 3.0 : 2.0) * n * sizeof(float));
}

const bool registered = [] {
  for (const BnShape& s : resnet18_bns()) {
    benchmark::RegisterBenchmark((std::string("BM_cuda_bn_fwd/") + s.name).c_str(), bn_bench, s, false)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_cuda_bn_bwd/") + s.name).c_str(), bn_bench, s, true)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
