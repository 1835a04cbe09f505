// upsample.cu - nearest-neighbour x2 (CUDA twin of kernels/cpu/upsample.cpp).
// out[n, c, y, x] = inp[n, c, y / 2, x / 2]; the backward sums each 2x2 block in the same order
// as the CPU: (r0[2j] + r0[2j+1]) + (r1[2j] + r1[2j+1]).
//
// Naive forward: one thread per input pixel writing its 2x2 block; naive backward: each output
// pixel atomicAdds into its input pixel. Here: forward one thread per output pixel (coalesced
// writes; the input reads hit cache), backward one thread per input pixel summing its 2x2 block
// in a fixed order (no atomics, the CPU's order). Bound: memory, 20 B per input pixel each way
// (4 read + 16 written forward, 16 read + 4 written backward).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/upsample.h"

namespace dl::cuda {

namespace {
// One thread per output element (coalesced writes).
__global__ void upsample_forward_kernel(float* out, const float* inp, int64_t planes, int64_t H, int64_t W) {
  const int64_t W2 = 2 * W, n = planes * 4 * H * W;
  DL_GRID_STRIDE_LOOP(idx, n) {
    const int64_t x = idx % W2, y = (idx / W2) % (2 * H), pl = idx / (4 * H * W);
    out[idx] = inp[(pl * H + y / 2) * W + x / 2];
  }
}
// One thread per input element.
__global__ void upsample_backward_kernel(float* dinp, const float* dout, int64_t planes, int64_t H, int64_t W) {
  const int64_t W2 = 2 * W, n = planes * H * W;
  DL_GRID_STRIDE_LOOP(idx, n) {
    const int64_t j = idx % W, i = (idx / W) % H, pl = idx / (H * W);
    const float* r0 = dout + (pl * 2 * H + 2 * i) * W2;
    const float* r1 = r0 + W2;
    dinp[idx] = (r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]);
  }
}
}  // namespace

void upsample_nearest2x_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t n = N * C * 4 * H * W;
  if (n == 0) return;
  upsample_forward_kernel<<<grid_for(n), kBlock, 0, stream()>>>(out, inp, N * C, H, W);
  CUDA_CHECK_LAUNCH();
}

void upsample_nearest2x_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t n = N * C * H * W;
  if (n == 0 || !dinp) return;
  upsample_backward_kernel<<<grid_for(n), kBlock, 0, stream()>>>(dinp, dout, N * C, H, W);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
