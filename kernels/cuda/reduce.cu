// reduce.cu - sums over everything or over one dimension (CUDA twin of kernels/cpu/reduce.cpp).
// Deterministic: sum_all uses sum_terms (cub::DeviceReduce in double, run-to-run deterministic on
// a given GPU; see common.cuh); sum_dim gives each output one thread (columns, adding the R rows
// in order in double) or one block (contiguous rows, cub::BlockReduce: a fixed tree).
//
// Naive: every thread atomicAdds into one float (contention, order-dependent bits). Here: cub's
// two-level tree in double for a full sum; per-dimension sums give each output one thread
// (columns, coalesced across threads) or one block (contiguous rows). Bound: memory, 4 B read
// per element.
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/reduce.h"

namespace dl::cuda {

namespace {

struct Load {
  const float* x;
  __device__ float operator()(int64_t i) const { return x[i]; }
};

__global__ void fill_scaled_kernel(float* dinp, const float* dout, int64_t n, float scale) {
  const float g = dout[0] * scale;
  DL_GRID_STRIDE_LOOP(i, n) dinp[i] = g;
}

// inner == 1: out[o] = scale * sum_r inp[o, r], one block of BLOCK threads per row.
template <int BLOCK>
__global__ void sum_rows_kernel(float* out, const float* inp, int64_t R, float scale) {
  const float* row = inp + blockIdx.x * R;
  float acc = 0.0f;
  for (int64_t r = threadIdx.x; r < R; r += blockDim.x) acc += row[r];
  acc = block_sum<BLOCK>(acc);
  if (threadIdx.x == 0) out[blockIdx.x] = acc * scale;
}

// out[o, i] = scale * sum_r inp[o, r, i], one thread per output (coalesced over i).
__global__ void sum_columns_kernel(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner,
                                   float scale) {
  DL_GRID_STRIDE_LOOP(idx, outer * inner) {
    const int64_t o = idx / inner, i = idx - o * inner;
    const float* src = inp + o * R * inner + i;
    double acc = 0.0;
    for (int64_t r = 0; r < R; ++r) acc += src[r * inner];
    out[idx] = static_cast<float>(acc * scale);
  }
}

__global__ void sum_dim_backward_kernel(float* dinp, const float* dout, int64_t R, int64_t inner, int64_t n,
                                        float scale) {
  DL_GRID_STRIDE_LOOP(idx, n) {
    const int64_t i = idx % inner, o = idx / (R * inner);
    dinp[idx] = dout[o * inner + i] * scale;
  }
}

}  // namespace

void sum_all_forward(float* out, const float* inp, int64_t n, float scale) {
  sum_terms(out, nullptr, Load{inp}, n, scale);
}

void sum_all_backward(float* dinp, const float* dout, int64_t n, float scale) {
  if (!dinp || n == 0) return;
  fill_scaled_kernel<<<grid_for(n), kBlock, 0, stream()>>>(dinp, dout, n, scale);
  CUDA_CHECK_LAUNCH();
}

void sum_dim_forward(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (outer * inner == 0) return;
  if (inner == 1) {
    for (int64_t o0 = 0; o0 < outer; o0 += 65535 * 32) {  // grid.x limit is 2^31 - 1; chunked anyway
      const int64_t rows = std::min<int64_t>(outer - o0, 65535 * 32);
      with_row_block(R, [&](auto b) {
        constexpr int B = decltype(b)::value;
        sum_rows_kernel<B><<<static_cast<unsigned>(rows), B, 0, stream()>>>(out + o0, inp + o0 * R, R, scale);
      });
      CUDA_CHECK_LAUNCH();
    }
  } else {
    sum_columns_kernel<<<grid_for(outer * inner), kBlock, 0, stream()>>>(out, inp, outer, R, inner, scale);
    CUDA_CHECK_LAUNCH();
  }
}

void sum_dim_backward(float* dinp, const float* dout, int64_t outer, int64_t R, int64_t inner, float scale) {
  const int64_t n = outer * R * inner;
  if (!dinp || n == 0) return;
  sum_dim_backward_kernel<<<grid_for(n), kBlock, 0, stream()>>>(dinp, dout, R, inner, n, scale);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
