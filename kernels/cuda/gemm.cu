// gemm.cu - row-major GEMM on column-major cuBLAS. A row-major (r, c) matrix with row stride ld
// is the column-major (c, r) matrix with leading dimension ld, i.e. its transpose. So
//   C = op(A) op(B)  (row-major)   <=>   C^T = op(B)^T op(A)^T  (column-major),
// which is one cublasSgemm with the operands swapped: (N, M, K, B, A) and the same transpose flags.
//
// Naive: our own GEMM kernel. Here: cuBLAS SGEMM (register- and shared-memory-tiled, near the
// FP32 peak). Bound: compute for the convolution's large products; memory or launch latency
// for the small MLP products of this project.
#include <climits>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/gemm.h"

namespace dl::cuda {

namespace {

int to_int(int64_t v, const char* what) {
  DL_CHECK(v >= 0 && v <= INT_MAX, "cuBLAS gemm: ", what, " = ", v, " does not fit in an int");
  return static_cast<int>(v);
}
cublasOperation_t op(bool trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

__global__ void add_sums_kernel(float* dst, const float* sums, int64_t C) {
  DL_GRID_STRIDE_LOOP(c, C) dst[c] += sums[c];
}

}  // namespace

void gemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  CUBLAS_CHECK(cublasSgemm(cublas(), op(trans_b), op(trans_a), to_int(N, "N"), to_int(M, "M"), to_int(K, "K"),
                           &alpha, B, to_int(ldb, "ldb"), A, to_int(lda, "lda"), &beta, C, to_int(ldc, "ldc")));
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  // Row strides of the stored matrices: A is (M, K) or (K, M), B is (K, N) or (N, K).
  gemm_ld(trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

void gemm_strided_batched(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                          const float* A, int64_t lda, int64_t stride_a, const float* B, int64_t ldb,
                          int64_t stride_b, float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch) {
  if (M == 0 || N == 0 || batch == 0) return;
  CUBLAS_CHECK(cublasSgemmStridedBatched(cublas(), op(trans_b), op(trans_a), to_int(N, "N"), to_int(M, "M"),
                                         to_int(K, "K"), &alpha, B, to_int(ldb, "ldb"), stride_b, A,
                                         to_int(lda, "lda"), stride_a, &beta, C, to_int(ldc, "ldc"), stride_c,
                                         to_int(batch, "batch")));
}

void add_channel_sums(float* dst, const float* src, int64_t outer, int64_t C, int64_t inner) {
  if (C == 0) return;
  ScratchBuffer sums(static_cast<size_t>(C) * sizeof(float));
  channel_sums<1>(sums.as<float>(), LoadValue{src}, outer, C, inner);
  add_sums_kernel<<<grid_for(C), kBlock, 0, stream()>>>(dst, sums.as<float>(), C);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
