// avgpool.cu - global average pooling (CUDA twin of kernels/cpu/avgpool.cpp).
// Forward: one warp per (n, c) plane, lanes stride over the H W values, warp_sum (fixed order).
//
// Naive: one thread per (n, c) plane looping over its H W values: few threads, and neighbouring
// threads read addresses H W apart (uncoalesced). Here: one warp per plane, lanes read
// consecutive values (coalesced), a shuffle sum. Backward: one thread per input value.
// Bound: memory, 4 B read per input value forward, 4 B written backward.
#include "kernels/cuda/avgpool.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {
__global__ void avgpool_forward_kernel(float* out, const float* inp, int64_t planes, int64_t HW, float inv) {
  const int64_t warps_per_block = blockDim.x / 32, lane = threadIdx.x % 32;
  for (int64_t pl = blockIdx.x * warps_per_block + threadIdx.x / 32; pl < planes;
       pl += static_cast<int64_t>(gridDim.x) * warps_per_block) {
    const float* src = inp + pl * HW;
    float acc = 0.0f;
    for (int64_t k = lane; k < HW; k += 32) acc += src[k];
    acc = warp_sum(acc);
    if (lane == 0) out[pl] = acc * inv;
  }
}
__global__ void avgpool_backward_kernel(float* dinp, const float* dout, int64_t planes, int64_t HW, float inv) {
  DL_GRID_STRIDE_LOOP(idx, planes * HW) dinp[idx] = dout[idx / HW] * inv;
}
}  // namespace

void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, HW = H * W;
  if (planes == 0) return;
  const float inv = 1.0f / static_cast<float>(HW);
  avgpool_forward_kernel<<<grid_for(planes * 32), kBlock, 0, stream()>>>(out, inp, planes, HW, inv);
  CUDA_CHECK_LAUNCH();
}

void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, HW = H * W;
  if (planes * HW == 0 || !dinp) return;
  const float inv = 1.0f / static_cast<float>(HW);
  avgpool_backward_kernel<<<grid_for(planes * HW), kBlock, 0, stream()>>>(dinp, dout, planes, HW, inv);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
