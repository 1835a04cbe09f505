// gemm.h - cuBLAS behind the same row-major interface as kernels/cpu/gemm.h, plus the
// deterministic per-channel gradient sum used for biases. Device pointers; runs on
// dl::cuda::stream().
#pragma once
#include <cstdint>

namespace dl::cuda {

// Row-major C (M, N) = alpha op(A) op(B) + beta C with op(A) (M, K), op(B) (K, N).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C);
// Leading-dimension form (row strides in elements).
void gemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// `batch` independent products; matrix b of X starts at X + b * stride_X.
void gemm_strided_batched(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                          const float* A, int64_t lda, int64_t stride_a, const float* B, int64_t ldb,
                          int64_t stride_b, float beta, float* C, int64_t ldc, int64_t stride_c, int64_t batch);

// dst (C) += sum over (outer, inner) of src laid out (outer, C, inner): the bias gradient of
// linear (inner = 1) and conv2d (inner = OH OW). No atomics: fixed-order partials.
void add_channel_sums(float* dst, const float* src, int64_t outer, int64_t C, int64_t inner);

}  // namespace dl::cuda
