// nt_xent.cpp - see nt_xent.h and docs/nt_xent.md. Rows are processed in parallel, each by one
// thread; per-row losses are summed serially in row order (thread-count independent).
#include "kernels/cpu/nt_xent.h"

#include <cmath>
#include <vector>

#include "kernels/cpu/fast_exp.h"
#include "kernels/cpu/gemm.h"

namespace dl::cpu {
namespace {

// In place: row s (R) of logits -> softmax probabilities; a column `skip` (-1: none) is
// excluded and becomes 0. Returns the row's cross-entropy -log p[target].
inline double softmax_row_loss(float* s, int64_t R, int64_t skip, int64_t target) {
  if (skip >= 0) s[skip] = -INFINITY;  // exp(-inf - max) = 0: out of the max, the sum and P
  const float mx = row_max(s, R);
  const float lse = mx + std::log(row_sum_exp(s, R, mx));
  const double row_loss = static_cast<double>(lse) - s[target];
  for (int64_t j = 0; j < R; ++j) s[j] = fast_exp(s[j] - lse);
  return row_loss;
}

}  // namespace

void nt_xent_cross_view_forward(float* loss, float* probs, const float* e1, const float* e2, int64_t N,
                                int64_t D, float tau) {
  gemm(false, true, N, N, D, 1.0f / tau, e1, e2, 0.0f, probs);  // S = e1 e2^T / tau
  std::vector<double> row_loss(N);
#pragma omp parallel for schedule(static) if (N * N > 16384)
  for (int64_t i = 0; i < N; ++i) row_loss[i] = softmax_row_loss(probs + i * N, N, -1, i);
  double total = 0.0;
  for (int64_t i = 0; i < N; ++i) total += row_loss[i];
  loss[0] = static_cast<float>(total / N);
}

void nt_xent_cross_view_backward(float* de1, float* de2, float* dS, const float* dloss, const float* e1,
                                 const float* e2, const float* probs, int64_t N, int64_t D, float tau) {
  const float scale = dloss[0] / static_cast<float>(N);
#pragma omp parallel for schedule(static) if (N * N > 16384)
  for (int64_t i = 0; i < N; ++i) {
    for (int64_t j = 0; j < N; ++j) dS[i * N + j] = probs[i * N + j] * scale;
    dS[i * N + i] -= scale;
  }
  if (de1) gemm(false, false, N, D, N, 1.0f / tau, dS, e2, 0.0f, de1);  // (N,N)(N,D)
  if (de2) gemm(true, false, N, D, N, 1.0f / tau, dS, e1, 0.0f, de2);   // (N,N)^T(N,D)
}

void nt_xent_forward(float* loss, float* probs, const float* z1, const float* z2, int64_t N, int64_t D,
                     float tau) {
  const int64_t R = 2 * N;
  const float* z[2] = {z1, z2};
  for (int a = 0; a < 2; ++a)  // block (a, b) of S = z_a z_b^T / tau, written in place (ldc = 2N)
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, true, N, N, D, 1.0f / tau, z[a], D, z[b], D, 0.0f, probs + a * N * R + b * N, R);
  std::vector<double> row_loss(R);
#pragma omp parallel for schedule(static) if (R * R > 16384)
  for (int64_t i = 0; i < R; ++i) row_loss[i] = softmax_row_loss(probs + i * R, R, i, (i + N) % R);
  double total = 0.0;
  for (int64_t i = 0; i < R; ++i) total += row_loss[i];
  loss[0] = static_cast<float>(total / R);
}

void nt_xent_backward(float* dz1, float* dz2, float* dS, const float* dloss, const float* z1, const float* z2,
                      const float* probs, int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  const float scale = dloss[0] / static_cast<float>(R);
  // dS = G + G^T with G = (P - T) scale. T is symmetric (j = pos(i) <=> i = pos(j)), so
  // (G + G^T)_ij = (P_ij + P_ji - 2 T_ij) scale. P's diagonal is 0, so is dS's.
#pragma omp parallel for schedule(static) if (R * R > 16384)
  for (int64_t i = 0; i < R; ++i) {
    for (int64_t j = 0; j < R; ++j) dS[i * R + j] = (probs[i * R + j] + probs[j * R + i]) * scale;
    dS[i * R + (i + N) % R] -= 2.0f * scale;
  }
  const float* z[2] = {z1, z2};
  float* dz[2] = {dz1, dz2};
  for (int a = 0; a < 2; ++a) {  // dz_a = dS[a-rows, 0:N] z1 + dS[a-rows, N:2N] z2, all / tau
    if (!dz[a]) continue;
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, false, N, D, N, 1.0f / tau, dS + a * N * R + b * N, R, z[b], D, b == 0 ? 0.0f : 1.0f, dz[a], D);
  }
}

}  // namespace dl::cpu
