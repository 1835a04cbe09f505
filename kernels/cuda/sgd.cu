// sgd.cu - one fused SGD / LARS step and the squared norm LARS needs (CUDA twin of
// kernels/cpu/sgd.cpp; formulas in sgd.h). sum_squares is a deterministic device reduction whose
// double result is copied back (it synchronizes the stream: LARS needs the number on the host).
//
// Naive: momentum, weight decay and the step as separate elementwise ops. Here: one fused pass.
// Bound: memory, 20 B per parameter (read param, grad, buf; write param, buf).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/sgd.h"

namespace dl::cuda {

namespace {
__global__ void sgd_kernel(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                           float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale) {
  DL_GRID_STRIDE_LOOP(i, n) {
    float d = weight_decay != 0.0f ? grad[i] + weight_decay * param[i] : grad[i];
    if (grad_scale != 1.0f) d *= grad_scale;
    if (momentum != 0.0f) {
      const float buf = first_step ? d : momentum * momentum_buf[i] + (1.0f - dampening) * d;
      momentum_buf[i] = buf;
      d = nesterov ? d + momentum * buf : buf;
    }
    param[i] -= lr * d;
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

double sum_squares(const float* x, int64_t n) {
  if (n == 0) return 0.0;
  ScratchBuffer total(sizeof(double));
  sum_terms(nullptr, total.as<double>(), Square{x}, n, 1.0);
  double host = 0.0;
  CUDA_CHECK(cudaMemcpyAsync(&host, total.as<double>(), sizeof(double), cudaMemcpyDeviceToHost, stream()));
  // The host needs the number (LARS's trust ratio): LARS waits here twice per parameter tensor and step.
  synchronize_stream("sum_squares: LARS's parameter and gradient norms");
  return host;
}

}  // namespace dl::cuda
