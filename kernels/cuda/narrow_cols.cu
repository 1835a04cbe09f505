// narrow_cols.cu - see narrow_cols.h: two stream-ordered copy engine calls, no kernel.
//   forward   cudaMemcpy2DAsync: N rows of w floats, source pitch D, destination pitch w
//   backward  cudaMemsetAsync(dinp, 0) then the same 2-D copy the other way (pitch w -> D)
// Both run on dl::cuda::stream(), so they are ordered with every kernel before and after them.
//
// Naive: a kernel with one thread per copied value. Here: the copy engine's pitched 2-D copy
// (no SM time). Bound: memory, 8 B per copied value (plus the memset of dinp backward).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/narrow_cols.h"

namespace dl::cuda {

void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w) {
  if (N == 0 || w == 0) return;
  CUDA_CHECK(cudaMemcpy2DAsync(out, static_cast<size_t>(w) * sizeof(float), inp + begin,
                               static_cast<size_t>(D) * sizeof(float), static_cast<size_t>(w) * sizeof(float),
                               static_cast<size_t>(N), cudaMemcpyDeviceToDevice, stream()));
}

void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w) {
  if (!dinp || N == 0 || D == 0) return;
  CUDA_CHECK(cudaMemsetAsync(dinp, 0, static_cast<size_t>(N * D) * sizeof(float), stream()));
  if (w == 0) return;
  CUDA_CHECK(cudaMemcpy2DAsync(dinp + begin, static_cast<size_t>(D) * sizeof(float), dout,
                               static_cast<size_t>(w) * sizeof(float), static_cast<size_t>(w) * sizeof(float),
                               static_cast<size_t>(N), cudaMemcpyDeviceToDevice, stream()));
}

}  // namespace dl::cuda
