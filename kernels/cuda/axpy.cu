// axpy.cu - y += a * x (CUDA twin of kernels/cpu/axpy.cpp). Memory bound: 12 bytes per element.
//
// Naive is already the best: a coalesced grid-stride loop; there is no reuse to exploit.
#include "kernels/cuda/axpy.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {
__global__ void axpy_kernel(float* y, const float* x, float a, int64_t n) {
  DL_GRID_STRIDE_LOOP(i, n) y[i] += a * x[i];
}
}  // namespace

void axpy(float* y, const float* x, float a, int64_t n) {
  if (n <= 0) return;
  axpy_kernel<<<grid_for(n), kBlock, 0, stream()>>>(y, x, a, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
