// sgd.cu - one fused SGD / LARS step (CUDA twin of kernels/cpu/sgd.cpp; formulas in
// kernels/signatures/sgd.inc). LARS's two norms are deterministic device reductions that stay on
// the GPU: the update kernel reads them there. sum_squares (tests, benchmarks) copies its double
// result back, which waits for the stream.
//
// Naive: momentum, weight decay and the step as separate elementwise ops. Here: one fused pass.
// Bound: memory, 20 B per parameter (read param, grad, buf; write param, buf).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/sgd.h"
#include "kernels/lars_trust_ratio.h"

namespace dl::cuda {

namespace {
// One parameter's update (formulas in kernels/signatures/sgd.inc).
__device__ inline void sgd_element(float* param, float* momentum_buf, const float* grad, int64_t i, float lr,
                                   float momentum, float dampening, float weight_decay, bool nesterov,
                                   bool first_step, float grad_scale) {
  float d = weight_decay != 0.0f ? grad[i] + weight_decay * param[i] : grad[i];
  if (grad_scale != 1.0f) d *= grad_scale;
  if (momentum != 0.0f) {
    const float buf = first_step ? d : momentum * momentum_buf[i] + (1.0f - dampening) * d;
    momentum_buf[i] = buf;
    d = nesterov ? d + momentum * buf : buf;
  }
  param[i] -= lr * d;
}

__global__ void sgd_kernel(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                           float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale) {
  DL_GRID_STRIDE_LOOP(i, n) {
    sgd_element(param, momentum_buf, grad, i, lr, momentum, dampening, weight_decay, nesterov, first_step, grad_scale);
  }
}

// LARS: every thread derives the trust ratio from the two sums of squares the reductions left in
// sums[0] (param) and sums[1] (grad), on the GPU, so the host never waits for them.
__global__ void lars_kernel(float* param, float* momentum_buf, const float* grad, int64_t n, float lr,
                            float momentum, float dampening, float weight_decay, bool nesterov, bool first_step,
                            float trust_coefficient, float eps, const double* sums) {
  const double r = lars_trust_ratio(sums[0], sums[1], trust_coefficient, weight_decay, eps);
  const float wd = r != 0.0 ? weight_decay : 0.0f, scale = r != 0.0 ? static_cast<float>(r) : 1.0f;
  DL_GRID_STRIDE_LOOP(i, n) {
    sgd_element(param, momentum_buf, grad, i, lr, momentum, dampening, wd, nesterov, first_step, scale);
  }
}

struct Square {
  const float* x;
  __device__ float operator()(int64_t i) const { return x[i] * x[i]; }
};
}  // namespace

void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale) {
  if (n == 0) return;
  sgd_kernel<<<grid_for(n), kBlock, 0, stream()>>>(param, momentum_buf, grad, n, lr, momentum, dampening,
                                                   weight_decay, nesterov, first_step, grad_scale);
  CUDA_CHECK_LAUNCH();
}

void lars_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                 float dampening, float weight_decay, bool nesterov, bool first_step, float trust_coefficient,
                 float eps) {
  if (n == 0) return;
  ScratchBuffer sums(2 * sizeof(double));
  sum_terms(nullptr, sums.as<double>(), Square{param}, n, 1.0);
  sum_terms(nullptr, sums.as<double>() + 1, Square{grad}, n, 1.0);
  lars_kernel<<<grid_for(n), kBlock, 0, stream()>>>(param, momentum_buf, grad, n, lr, momentum, dampening,
                                                    weight_decay, nesterov, first_step, trust_coefficient, eps,
                                                    sums.as<double>());
  CUDA_CHECK_LAUNCH();
}

double sum_squares(const float* x, int64_t n) {
  if (n == 0) return 0.0;
  ScratchBuffer total(sizeof(double));
  sum_terms(nullptr, total.as<double>(), Square{x}, n, 1.0);
  double host = 0.0;
  CUDA_CHECK(cudaMemcpyAsync(&host, total.as<double>(), sizeof(double), cudaMemcpyDeviceToHost, stream()));
  synchronize_stream("sum_squares: a squared norm read on the host");
  return host;
}

}  // namespace dl::cuda
