// gemm.h - the one entry point to BLAS: row-major C (M, N) = alpha op(A) op(B) + beta C,
// with op(A) (M, K) and op(B) (K, N). Every matrix product of the CPU backend goes through here,
// so swapping OpenBLAS for our own micro-kernels is a one-file change.
#pragma once
#include <cstdint>

namespace dl::cpu {

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C);

// Leading-dimension form for sub-matrices (lda/ldb/ldc are row strides in elements).
void gemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// Which BLAS we run on: "OpenBLAS 0.3.21 (openmp, 2 threads, Haswell)" - printed by the tools.
const char* blas_description();

}  // namespace dl::cpu
