// adam.cu - one fused Adam / AdamW step (CUDA twin of kernels/cpu/adam.cpp; formulas in adam.h):
// one thread per parameter reads param, grad, m, v once and writes param, m, v.
//
// Naive: the update written as separate elementwise ops (moments, bias correction, sqrt, divide,
// subtract), about ten kernels each reading and writing whole arrays. Here: one fused pass, so
// each element's param, grad, m, v are read once (16 B) and param, m, v written once (12 B).
// Bound: memory, 28 bytes per parameter; a handful of FLOPs per element.
#include "kernels/cuda/adam.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {
__global__ void adam_kernel(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n,
                            float step_size, float beta1, float beta2, float eps, float l2, bool decoupled,
                            float decay, float bias_correction2_sqrt) {
  DL_GRID_STRIDE_LOOP(i, n) {
    float p = param[i];
    const float g = l2 != 0.0f ? grad[i] + l2 * p : grad[i];
    if (decoupled) p *= decay;
    const float m = exp_avg[i] * beta1 + (1.0f - beta1) * g;
    const float v = exp_avg_sq[i] * beta2 + (1.0f - beta2) * (g * g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] = p - step_size * (m / (sqrtf(v) / bias_correction2_sqrt + eps));
  }
}
}  // namespace

void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt) {
  if (n == 0) return;
  const float step_size = lr / bias_correction1;
  const float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f;
  const float l2 = decoupled ? 0.0f : weight_decay;
  adam_kernel<<<grid_for(n), kBlock, 0, stream()>>>(param, exp_avg, exp_avg_sq, grad, n, step_size, beta1, beta2,
                                                    eps, l2, decoupled, decay, bias_correction2_sqrt);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
