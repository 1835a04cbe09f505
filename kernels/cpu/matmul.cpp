#include "kernels/cpu/matmul.h"

#include "kernels/cpu/gemm.h"

namespace dl::cpu {

void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b) {
  gemm(trans_a, trans_b, M, N, K, 1.0f, a, b, 0.0f, out);
}

// With C = op(A) op(B):  dop(A) = dC op(B)^T  and  dop(B) = op(A)^T dC; when A itself is stored
// transposed, dA = dop(A)^T = op(B) dC^T (and likewise for B).
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b) {
  if (da) {
    if (!trans_a) gemm(false, !trans_b, M, K, N, 1.0f, dout, b, 0.0f, da);  // (M,N)(N,K)
    else gemm(trans_b, true, K, M, N, 1.0f, b, dout, 0.0f, da);             // (K,N)(N,M)
  }
  if (db) {
    if (!trans_b) gemm(!trans_a, false, K, N, M, 1.0f, a, dout, 0.0f, db);  // (K,M)(M,N)
    else gemm(true, trans_a, N, K, M, 1.0f, dout, a, 0.0f, db);             // (N,M)(M,K)
  }
}

void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC) {
  if (bias) {
#pragma omp parallel for schedule(static) if (N * OC > 65536)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < OC; ++o) out[n * OC + o] = bias[o];
  }
  gemm(false, true, N, OC, C, 1.0f, inp, weight, bias ? 1.0f : 0.0f, out);
}

void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC) {
  if (dinp) gemm(false, false, N, C, OC, 1.0f, dout, weight, 0.0f, dinp);       // (N,OC)(OC,C)
  if (dweight) gemm(true, false, OC, C, N, 1.0f, dout, inp, 1.0f, dweight);     // (OC,N)(N,C), +=
  if (dbias) {
    for (int64_t n = 0; n < N; ++n)  // rows in order: deterministic
      for (int64_t o = 0; o < OC; ++o) dbias[o] += dout[n * OC + o];
  }
}

}  // namespace dl::cpu
