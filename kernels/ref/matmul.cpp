// matmul.cpp - see matmul.h. Every dot product is accumulated in double (an oracle for the BLAS
// results, whose float rounding depends on its blocking).
#include "kernels/ref/matmul.h"

namespace dl::ref {
namespace {

// Element (r, c) of a matrix stored row-major as (rows, cols), or as its transpose (cols, rows).
inline float at(const float* x, int64_t r, int64_t c, int64_t rows, int64_t cols, bool transposed) {
  return transposed ? x[c * rows + r] : x[r * cols + c];
}

}  // namespace

// out[m, n] = sum_k A[m, k] B[k, n],  A = op(a) (M, K),  B = op(b) (K, N).
void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b) {
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double sum = 0.0;
      for (int64_t k = 0; k < K; ++k)
        sum += static_cast<double>(at(a, m, k, M, K, trans_a)) * at(b, k, n, K, N, trans_b);
      out[m * N + n] = static_cast<float>(sum);
    }
}

// With out = A B:  dA[m, k] = sum_n dout[m, n] B[k, n]  and  dB[k, n] = sum_m A[m, k] dout[m, n];
// each is stored where its element lives in a (or b): at [m, k], or at [k, m] when transposed.
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b) {
  if (da)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t k = 0; k < K; ++k) {
        double sum = 0.0;
        for (int64_t n = 0; n < N; ++n) sum += static_cast<double>(dout[m * N + n]) * at(b, k, n, K, N, trans_b);
        da[trans_a ? k * M + m : m * K + k] = static_cast<float>(sum);
      }
  if (db)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) {
        double sum = 0.0;
        for (int64_t m = 0; m < M; ++m) sum += static_cast<double>(at(a, m, k, M, K, trans_a)) * dout[m * N + n];
        db[trans_b ? n * K + k : k * N + n] = static_cast<float>(sum);
      }
}

// out[n, o] = bias[o] + sum_c inp[n, c] weight[o, c];  inp (N, C), weight (OC, C), out (N, OC).
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < OC; ++o) {
      double sum = bias ? bias[o] : 0.0;
      for (int64_t c = 0; c < C; ++c) sum += static_cast<double>(inp[n * C + c]) * weight[o * C + c];
      out[n * OC + o] = static_cast<float>(sum);
    }
}

// dinp[n, c] = sum_o dout[n, o] weight[o, c]       (written)
// dweight[o, c] += sum_n dout[n, o] inp[n, c]       (accumulated)
// dbias[o] += sum_n dout[n, o]                      (accumulated)
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC) {
  if (dinp)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c) {
        double sum = 0.0;
        for (int64_t o = 0; o < OC; ++o) sum += static_cast<double>(dout[n * OC + o]) * weight[o * C + c];
        dinp[n * C + c] = static_cast<float>(sum);
      }
  if (dweight)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t c = 0; c < C; ++c) {
        double sum = 0.0;
        for (int64_t n = 0; n < N; ++n) sum += static_cast<double>(dout[n * OC + o]) * inp[n * C + c];
        dweight[o * C + c] += static_cast<float>(sum);
      }
  if (dbias)
    for (int64_t o = 0; o < OC; ++o) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; ++n) sum += dout[n * OC + o];
      dbias[o] += static_cast<float>(sum);
    }
}

}  // namespace dl::ref
