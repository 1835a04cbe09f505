// bench_batchnorm.cu - training-mode batchnorm (and the fused batchnorm + ReLU) forward and
// backward at the encoder's shapes, batch 256, the fused add_relu residual join, and a
// device-to-device memcpy of the same bytes as the bound. GB/s counts the compulsory traffic only
// (bn forward: read x, write y; bn backward: read x and dy, write dx; add_relu forward: read a, b,
// write out; backward: read dout, out, write d), so it compares directly with BM_cuda_memcpy (same
// bytes moved: its GB/s counts read + write), the device bandwidth and cuDNN (bench_cudnn.cu).
// The one-pass statistics still read x twice in the forward (statistics, then normalize) and
// dy, x twice in the backward, so expect about 2/3 (forward) and 3/5 (backward) of memcpy.
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/add_relu.h"
#include "kernels/cuda/batchnorm.h"

namespace {

using namespace dl;
using namespace dl::bench;

void bn_bench(benchmark::State& state, BnShape s, bool backward, bool relu) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, n = N * s.C * s.S;
  Tensor x = device_tensor({n}, 1), y = device_tensor({n}, 2), dx = zeros({n}, Device::CUDA);
  Tensor w = device_tensor({s.C}, 3, 0.5f, 1.5f), b = device_tensor({s.C}, 4);
  Tensor mean = zeros({s.C}, Device::CUDA), rstd = ones({s.C}, Device::CUDA);
  Tensor rm = zeros({s.C}, Device::CUDA), rv = ones({s.C}, Device::CUDA);
  Tensor dw = zeros({s.C}, Device::CUDA), db = zeros({s.C}, Device::CUDA);
  cuda::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(), b.data(), N,
                          s.C, s.S, true, 0.1f, 1e-5f);
  if (backward && relu)
    time_loop(state, [&] {
      cuda::batchnorm_relu_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(), w.data(), b.data(),
                                    mean.data(), rstd.data(), N, s.C, s.S, true);
    });
  else if (backward)
    time_loop(state, [&] {
      cuda::batchnorm_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(), w.data(), mean.data(),
                               rstd.data(), N, s.C, s.S, true);
    });
  else if (relu)
    time_loop(state, [&] {
      cuda::batchnorm_relu_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(),
                                   b.data(), N, s.C, s.S, true, 0.1f, 1e-5f);
    });
  else
    time_loop(state, [&] {
      cuda::batchnorm_forward(y.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), w.data(),
                              b.data(), N, s.C, s.S, true, 0.1f, 1e-5f);
    });
  set_bytes(state, (backward ? 3.0 : 2.0) * n * sizeof(float));
}

// relu(a + b) over (256, C, S) floats, forward or backward.
void add_relu_bench(benchmark::State& state, BnShape s, bool backward) {
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * s.C * s.S;
  Tensor a = device_tensor({n}, 1), b = device_tensor({n}, 2), out = zeros({n}, Device::CUDA);
  if (backward)
    time_loop(state, [&] { cuda::add_relu_backward(out.data(), a.data(), b.data(), n); });
  else
    time_loop(state, [&] { cuda::add_relu_forward(out.data(), a.data(), b.data(), n); });
  set_bytes(state, 3.0 * n * sizeof(float));
}

// The bound: a device-to-device copy of n floats (read n, write n: 2 n floats of traffic).
void memcpy_bench(benchmark::State& state, BnShape s) {
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * s.C * s.S;
  Tensor src = device_tensor({n}, 1), dst = zeros({n}, Device::CUDA);
  time_loop(state, [&] {
    CUDA_CHECK(cudaMemcpyAsync(dst.data(), src.data(), n * sizeof(float), cudaMemcpyDeviceToDevice, cuda::stream()));
  });
  set_bytes(state, 2.0 * n * sizeof(float));
}

const bool registered = [] {
  for (const BnShape& s : resnet18_bns()) {
    auto reg = [&](const char* prefix, auto&&... args) {
      benchmark::RegisterBenchmark((std::string(prefix) + s.name).c_str(), args...)
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    };
    reg("BM_cuda_bn_fwd/", bn_bench, s, false, false);
    reg("BM_cuda_bn_bwd/", bn_bench, s, true, false);
    reg("BM_cuda_bn_relu_fwd/", bn_bench, s, false, true);
    reg("BM_cuda_bn_relu_bwd/", bn_bench, s, true, true);
    reg("BM_cuda_add_relu_fwd/", add_relu_bench, s, false);
    reg("BM_cuda_add_relu_bwd/", add_relu_bench, s, true);
    reg("BM_cuda_memcpy/", memcpy_bench, s);
  }
  return true;
}();

}  // namespace
