#include "kernels/cpu/gemm.h"

#include <cblas.h>

#include <cstdio>
#include <string>

namespace dl::cpu {

void gemm_ld(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
             int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda),
              B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          const float* B, float beta, float* C) {
  gemm_ld(trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

extern "C" {
char* openblas_get_config(void);
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
int openblas_get_parallel(void);
}

const char* blas_description() {
  static std::string desc = [] {
    const int par = openblas_get_parallel();
    const char* model = par == 0 ? "sequential" : par == 1 ? "pthreads" : "openmp";
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s [%s threading, %d threads, core %s]", openblas_get_config(), model,
                  openblas_get_num_threads(), openblas_get_corename());
    return std::string(buf);
  }();
  return desc.c_str();
}

}  // namespace dl::cpu
