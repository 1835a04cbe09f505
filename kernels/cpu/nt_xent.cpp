// nt_xent.cpp - see nt_xent.h and docs/nt_xent.md. Rows are processed in parallel, each by one
// thread; per-row losses are summed serially in row order (thread-count independent).
#include "kernels/cpu/nt_xent.h"

#include <cmath>
#include <vector>

#include "kernels/cpu/fast_exp.h"
#include "kernels/cpu/gemm.h"

namespace dl::cpu {
namespace {

// In place: row s (R) of logits -> its row of d loss / d S for a loss that is the mean of
// `rows` cross-entropies: (p - onehot(target)) / rows, p the softmax over the columns != skip
// (skip = -1: none; that column's p is 0). Returns the row's cross-entropy lse - s[target].
inline double loss_grad_row(float* s, int64_t R, int64_t skip, int64_t target, float inv_rows) {
  if (skip >= 0) s[skip] = -INFINITY;  // exp(-inf - max) = 0: out of the max, the sum and P
  const float mx = row_max(s, R);
  const float lse = mx + std::log(row_sum_exp(s, R, mx));
  const double row_loss = static_cast<double>(lse) - s[target];
  for (int64_t j = 0; j < R; ++j) s[j] = fast_exp(s[j] - lse) * inv_rows;
  s[target] -= inv_rows;
  return row_loss;
}

}  // namespace

void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau) {
  gemm(false, true, N, N, D, 1.0f / tau, e1, e2, 0.0f, dS);  // S = e1 e2^T / tau
  std::vector<double> row_loss(N);
  const float inv = 1.0f / static_cast<float>(N);
#pragma omp parallel for schedule(static) if (N * N > 16384)
  for (int64_t i = 0; i < N; ++i) row_loss[i] = loss_grad_row(dS + i * N, N, -1, i, inv);
  double total = 0.0;
  for (int64_t i = 0; i < N; ++i) total += row_loss[i];
  loss[0] = static_cast<float>(total / N);
}

void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau) {
  const float alpha = dloss[0] / tau;
  if (de1) gemm(false, false, N, D, N, alpha, dS, e2, 0.0f, de1);  // (N,N)(N,D)
  if (de2) gemm(true, false, N, D, N, alpha, dS, e1, 0.0f, de2);   // (N,N)^T(N,D)
}

void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  const float* z[2] = {z1, z2};
  for (int a = 0; a < 2; ++a)  // block (a, b) of S = z_a z_b^T / tau, written in place (ldc = 2N)
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, true, N, N, D, 1.0f / tau, z[a], D, z[b], D, 0.0f, dS + a * N * R + b * N, R);
  std::vector<double> row_loss(R);
  const float inv = 1.0f / static_cast<float>(R);
#pragma omp parallel for schedule(static) if (R * R > 16384)
  for (int64_t i = 0; i < R; ++i) row_loss[i] = loss_grad_row(dS + i * R, R, i, (i + N) % R, inv);
  double total = 0.0;
  for (int64_t i = 0; i < R; ++i) total += row_loss[i];
  loss[0] = static_cast<float>(total / R);
}

void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  const float alpha = dloss[0] / tau;
  const float* z[2] = {z1, z2};
  float* dz[2] = {dz1, dz2};
  // dz_a = alpha sum_b (dS_ab z_b + (dS_ba)^T z_b), dS_ab the (a, b) N x N block (row stride 2N).
  for (int a = 0; a < 2; ++a) {
    if (!dz[a]) continue;
    for (int b = 0; b < 2; ++b) {
      gemm_ld(false, false, N, D, N, alpha, dS + a * N * R + b * N, R, z[b], D, b == 0 ? 0.0f : 1.0f, dz[a], D);
      gemm_ld(true, false, N, D, N, alpha, dS + b * N * R + a * N, R, z[b], D, 1.0f, dz[a], D);
    }
  }
}

}  // namespace dl::cpu
