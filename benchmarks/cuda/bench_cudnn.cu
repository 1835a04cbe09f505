// bench_cudnn.cu - the cuDNN reference for bench_conv2d.cu and bench_batchnorm.cu: the same
// shapes, FP32 without tensor cores (CUDNN_FMA_MATH, as our cuBLAS calls), the fastest algorithm
// cudnnFind* reports. cuDNN is used here only, never in the product; this file is built when
// benchmarks/CMakeLists.txt finds libcudnn. Names mirror ours: BM_cudnn_conv_fwd/<layer> vs
// BM_cuda_conv_fwd/<layer>; tools/gpu_check.sh prints the time ratios.
// The algorithm search (cudnnFind*, which runs every candidate) is done once per layer and
// direction, not on every run Google Benchmark makes of a benchmark. A cuDNN that cannot start
// (e.g. its engine libraries are missing: the bundle of tools/gpu_bundle.sh carries only the
// loader) makes these benchmarks skip with cuDNN's message instead of stopping the program.
#include <cudnn.h>

#include <map>

#include "benchmarks/cuda/bench_util.cuh"

#define CUDNN_CHECK(call)                                                                   \
  do {                                                                                      \
    const cudnnStatus_t dl_cudnn_st_ = (call);                                              \
    if (dl_cudnn_st_ != CUDNN_STATUS_SUCCESS)                                               \
      DL_FAIL("cuDNN error in ", #call, ": ", cudnnGetErrorString(dl_cudnn_st_));            \
  } while (0)

namespace {

using namespace dl;
using namespace dl::bench;

cudnnHandle_t handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t x;
    CUDNN_CHECK(cudnnCreate(&x));
    CUDNN_CHECK(cudnnSetStream(x, cuda::stream()));
    return x;
  }();
  return h;
}

cudnnTensorDescriptor_t tensor4d(int64_t n, int64_t c, int64_t h, int64_t w) {
  cudnnTensorDescriptor_t d;
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, static_cast<int>(n),
                                         static_cast<int>(c), static_cast<int>(h), static_cast<int>(w)));
  return d;
}

struct ConvAlgos {
  cudnnConvolutionFwdAlgoPerf_t fwd;
  cudnnConvolutionBwdDataAlgoPerf_t bwd_data;
  cudnnConvolutionBwdFilterAlgoPerf_t bwd_filter;
};
// Searched once per (layer, direction); key "<layer>/fwd" or "<layer>/bwd".
std::map<std::string, ConvAlgos>& searched_algos() {
  static std::map<std::string, ConvAlgos> m;
  return m;
}

void cudnn_conv_bench_body(benchmark::State& state, ConvShape s, bool backward) {
  const int64_t N = kBatch, OH = conv_out(s);
  Tensor x = device_tensor({N, s.C, s.H, s.H}, 1), w = device_tensor({s.OC, s.C, s.K, s.K}, 2, -0.1f, 0.1f);
  Tensor y = device_tensor({N, s.OC, OH, OH}, 3), dx = zeros(x.shape(), Device::CUDA), dw = zeros(w.shape(), Device::CUDA);
  cudnnTensorDescriptor_t xd = tensor4d(N, s.C, s.H, s.H), yd = tensor4d(N, s.OC, OH, OH);
  cudnnFilterDescriptor_t wd;
  CUDNN_CHECK(cudnnCreateFilterDescriptor(&wd));
  CUDNN_CHECK(cudnnSetFilter4dDescriptor(wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, static_cast<int>(s.OC),
                                         static_cast<int>(s.C), static_cast<int>(s.K), static_cast<int>(s.K)));
  cudnnConvolutionDescriptor_t cd;
  CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&cd));
  CUDNN_CHECK(cudnnSetConvolution2dDescriptor(cd, static_cast<int>(s.pad), static_cast<int>(s.pad),
                                              static_cast<int>(s.stride), static_cast<int>(s.stride), 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  CUDNN_CHECK(cudnnSetConvolutionMathType(cd, CUDNN_FMA_MATH));
  const float one = 1.0f, zero = 0.0f;
  int found = 0;
  const std::string key = std::string(s.name) + (backward ? "/bwd" : "/fwd");
  const auto known = searched_algos().find(key);
  const bool search = known == searched_algos().end();
  ConvAlgos algos = search ? ConvAlgos{} : known->second;
  if (!backward) {
    if (search) CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithm(handle(), xd, wd, cd, yd, 1, &found, &algos.fwd));
    DL_CHECK(found > 0 && algos.fwd.status == CUDNN_STATUS_SUCCESS, "cudnnFind: no forward algorithm for ", key);
    if (search) searched_algos()[key] = algos;  // only once the search succeeded
    const cudnnConvolutionFwdAlgoPerf_t perf = algos.fwd;
    cuda::ScratchBuffer ws(perf.memory);
    time_loop(state, [&] {
      CUDNN_CHECK(cudnnConvolutionForward(handle(), &one, xd, x.data(), wd, w.data(), cd, perf.algo, ws.as<void>(),
                                          perf.memory, &zero, yd, y.data()));
    });
    state.SetLabel("algo " + std::to_string(perf.algo));
  } else {
    if (search) {
      CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithm(handle(), wd, yd, cd, xd, 1, &found, &algos.bwd_data));
      CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithm(handle(), xd, yd, cd, wd, 1, &found, &algos.bwd_filter));
    }
    DL_CHECK(found > 0 && algos.bwd_data.status == CUDNN_STATUS_SUCCESS &&
                 algos.bwd_filter.status == CUDNN_STATUS_SUCCESS,
             "cudnnFind: no backward algorithm for ", key);
    if (search) searched_algos()[key] = algos;
    const cudnnConvolutionBwdDataAlgoPerf_t pd = algos.bwd_data;
    const cudnnConvolutionBwdFilterAlgoPerf_t pf = algos.bwd_filter;
    cuda::ScratchBuffer wsd(pd.memory), wsf(pf.memory);
    time_loop(state, [&] {
      CUDNN_CHECK(cudnnConvolutionBackwardData(handle(), &one, wd, w.data(), yd, y.data(), cd, pd.algo, wsd.as<void>(),
                                               pd.memory, &zero, xd, dx.data()));
      CUDNN_CHECK(cudnnConvolutionBackwardFilter(handle(), &one, xd, x.data(), yd, y.data(), cd, pf.algo,
                                                 wsf.as<void>(), pf.memory, &one, wd, dw.data()));
    });
    state.SetLabel("algos " + std::to_string(pd.algo) + "/" + std::to_string(pf.algo));
  }
  set_flops(state, (backward ? 4.0 : 2.0) * N * s.OC * OH * OH * s.C * s.K * s.K);
  cudnnDestroyConvolutionDescriptor(cd);
  cudnnDestroyFilterDescriptor(wd);
  cudnnDestroyTensorDescriptor(xd);
  cudnnDestroyTensorDescriptor(yd);
}

void cudnn_bn_bench_body(benchmark::State& state, BnShape s, bool backward) {
  const int64_t N = kBatch, n = N * s.C * s.S;
  Tensor x = device_tensor({n}, 1), y = device_tensor({n}, 2), dx = zeros({n}, Device::CUDA);
  Tensor w = device_tensor({s.C}, 3, 0.5f, 1.5f), b = device_tensor({s.C}, 4);
  Tensor mean = zeros({s.C}, Device::CUDA), inv = ones({s.C}, Device::CUDA);
  Tensor rm = zeros({s.C}, Device::CUDA), rv = ones({s.C}, Device::CUDA);
  Tensor dw = zeros({s.C}, Device::CUDA), db = zeros({s.C}, Device::CUDA);
  cudnnTensorDescriptor_t xd = tensor4d(N, s.C, s.S, 1), bd;  // (N, C, S, 1): spatial statistics over N S
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&bd));
  CUDNN_CHECK(cudnnDeriveBNTensorDescriptor(bd, xd, CUDNN_BATCHNORM_SPATIAL));
  const float one = 1.0f, zero = 0.0f;
  auto forward = [&] {
    CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(handle(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, xd, x.data(),
                                                       xd, y.data(), bd, w.data(), b.data(), 0.1, rm.data(),
                                                       rv.data(), 1e-5, mean.data(), inv.data()));
  };
  forward();
  if (backward)
    time_loop(state, [&] {
      CUDNN_CHECK(cudnnBatchNormalizationBackward(handle(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &one, xd,
                                                  x.data(), xd, y.data(), xd, dx.data(), bd, w.data(), dw.data(),
                                                  db.data(), 1e-5, mean.data(), inv.data()));
    });
  else
    time_loop(state, forward);
  set_bytes(state, (backward ? 3.0 : 2.0) * n * sizeof(float));
  cudnnDestroyTensorDescriptor(bd);
  cudnnDestroyTensorDescriptor(xd);
}

// A cuDNN error (a dl::Error from CUDNN_CHECK) skips the benchmark with cuDNN's message.
template <typename Shape_, typename Body>
void skip_on_error(benchmark::State& state, Body body, Shape_ s, bool backward) {
  if (!require_gpu(state)) return;
  try {
    body(state, s, backward);
  } catch (const Error& e) {
    state.SkipWithError((std::string("cuDNN: ") + e.what()).c_str());
  }
}
void cudnn_conv_bench(benchmark::State& state, ConvShape s, bool backward) {
  skip_on_error(state, cudnn_conv_bench_body, s, backward);
}
void cudnn_bn_bench(benchmark::State& state, BnShape s, bool backward) {
  skip_on_error(state, cudnn_bn_bench_body, s, backward);
}

const bool registered = [] {
  for (const ConvShape& s : resnet18_convs()) {
    benchmark::RegisterBenchmark((std::string("BM_cudnn_conv_fwd/") + s.name).c_str(), cudnn_conv_bench, s, false)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_cudnn_conv_bwd/") + s.name).c_str(), cudnn_conv_bench, s, true)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  for (const BnShape& s : resnet18_bns()) {
    benchmark::RegisterBenchmark((std::string("BM_cudnn_bn_fwd/") + s.name).c_str(), cudnn_bn_bench, s, false)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_cudnn_bn_bwd/") + s.name).c_str(), cudnn_bn_bench, s, true)
        ->UseManualTime()->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
