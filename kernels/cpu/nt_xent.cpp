// nt_xent.cpp - see nt_xent.h and docs/nt_xent.md. Rows are processed in parallel, each by one
// thread; per-row losses are summed serially in row order (thread-count independent).
#include "kernels/cpu/nt_xent.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/fast_exp.h"
#include "kernels/cpu/gemm.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

// In place: row s (R) of logits -> its row of d loss / d S for a loss that is the mean of
// `rows` cross-entropies: (p - onehot(target)) / rows, p the softmax over the columns != skip
// (skip = -1: none; that column's p is 0). Returns the row's cross-entropy lse - s[target].
inline double loss_grad_row(float* s, int64_t R, int64_t skip, int64_t target, float inv_rows) {
  if (skip >= 0) s[skip] = -INFINITY;  // exp(-inf - max) = 0: out of the max, the sum and P
  const float mx = row_max(s, R), s_target = s[target];
  const float sum = row_exp_in_place(s, R, mx);  // s_j <- exp(s_j - max): one exp per entry
  const double row_loss = static_cast<double>(mx + std::log(sum)) - s_target;  // lse - s_target
  const float scale = inv_rows / sum;  // P_j = exp(s_j - max) / sum
  for (int64_t j = 0; j < R; ++j) s[j] *= scale;
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

namespace {

// Z (2N, D) = [z1; z2]: the stacked rows, so that S and dz are one GEMM each.
Tensor stack_rows(const float* z1, const float* z2, int64_t N, int64_t D) {
  Tensor Z = Tensor::empty({2 * N, D});
  std::copy_n(z1, N * D, Z.data());
  std::copy_n(z2, N * D, Z.data() + N * D);
  return Z;
}

// G = dS + dS^T (R, R). G is symmetric and float addition commutes, so each pair of 16 x 16
// blocks (bi, bj), bj >= bi, is summed once and written to both places.
void symmetrize(float* G, const float* dS, int64_t R) {
  constexpr int64_t kB = 16;
  const int64_t nb = (R + kB - 1) / kB;
#pragma omp parallel for schedule(static, 1) if (R * R > 65536)  // row blocks dealt round-robin: the triangle evens out
  for (int64_t bi = 0; bi < nb; ++bi)
    for (int64_t bj = bi; bj < nb; ++bj) {
      const int64_t i1 = std::min(R, (bi + 1) * kB), j1 = std::min(R, (bj + 1) * kB);
      for (int64_t i = bi * kB; i < i1; ++i)
        for (int64_t j = bj * kB; j < j1; ++j) {
          const float g = dS[i * R + j] + dS[j * R + i];
          G[i * R + j] = g;
          G[j * R + i] = g;
        }
    }
}

}  // namespace

void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  const Tensor Z = stack_rows(z1, z2, N, D);
  gemm(false, true, R, R, D, 1.0f / tau, Z.data(), Z.data(), 0.0f, dS);  // S = Z Z^T / tau, in place
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
  if (!dz1 && !dz2) return;
  const int64_t R = 2 * N;
  // dz = alpha (dS + dS^T) Z: one R x R elementwise pass, then half the GEMM work of dS Z + dS^T Z.
  const Tensor Z = stack_rows(z1, z2, N, D);
  Tensor G = Tensor::empty({R, R});
  symmetrize(G.data(), dS, R);
  const float alpha = dloss[0] / tau;
  float* dz[2] = {dz1, dz2};
  for (int a = 0; a < 2; ++a)  // rows [a N, a N + N) of dz
    if (dz[a]) gemm(false, false, N, D, R, alpha, G.data() + a * N * R, Z.data(), 0.0f, dz[a]);
}

}  // namespace dl::cpu
