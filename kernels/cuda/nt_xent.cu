// nt_xent.cu - the two contrastive losses (CUDA twin of kernels/cpu/nt_xent.cpp, derivation in
// docs/nt_xent.md): cuBLAS for the similarity matrix S = z z^T / tau, one kernel per row for the
// (masked) log-sum-exp that writes the row loss and the softmax (saved as `probs` for the
// backward, as the CPU interface asks), a deterministic mean, and in the backward one kernel for
// dS followed by cuBLAS GEMMs for the input gradients.
#include <cmath>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/nt_xent.h"

namespace dl::cuda {

namespace {

// In place on row i of S (R, R): softmax over the columns j != skip (skip < 0: none; that column
// becomes 0), row_loss[i] = lse - S[i, target]. skip/target: i and i + offset mod R.
__global__ void softmax_rows_kernel(float* S, float* row_loss, int64_t R, bool mask_diagonal, int64_t target_offset) {
  const int64_t i = blockIdx.x;
  float* s = S + i * R;
  const int64_t skip = mask_diagonal ? i : -1, target = (i + target_offset) % R;
  const float s_target = s[target];  // read before any thread overwrites the row
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x)
    if (j != skip) m = fmaxf(m, s[j]);
  m = block_max(m);
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x)
    if (j != skip) sum += expf(s[j] - m);
  const float lse = m + logf(block_sum(sum));  // block_sum synchronizes: every read is done
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x) s[j] = j == skip ? 0.0f : expf(s[j] - lse);
  if (threadIdx.x == 0) row_loss[i] = lse - s_target;
}

struct RowLoss {
  const float* v;
  __device__ float operator()(int64_t i) const { return v[i]; }
};

void softmax_rows_and_mean_loss(float* loss, float* S, int64_t R, bool mask_diagonal, int64_t target_offset) {
  ScratchBuffer row_loss(static_cast<size_t>(R) * sizeof(float));
  softmax_rows_kernel<<<static_cast<unsigned>(R), row_block(R), 0, stream()>>>(S, row_loss.as<float>(), R,
                                                                              mask_diagonal, target_offset);
  CUDA_CHECK_LAUNCH();
  sum_terms(loss, nullptr, RowLoss{row_loss.as<float>()}, R, 1.0 / static_cast<double>(R));
}

// dS = (probs - I) dloss / N.
__global__ void cross_view_ds_kernel(float* dS, const float* dloss, const float* probs, int64_t N) {
  const float scale = dloss[0] / static_cast<float>(N);
  DL_GRID_STRIDE_LOOP(idx, N * N) {
    const int64_t i = idx / N, j = idx - i * N;
    dS[idx] = probs[idx] * scale - (i == j ? scale : 0.0f);
  }
}

// dS = G + G^T, G = (P - T) dloss / R, T_ij = [j == (i + N) mod R] (symmetric).
__global__ void nt_xent_ds_kernel(float* dS, const float* dloss, const float* probs, int64_t N) {
  const int64_t R = 2 * N;
  const float scale = dloss[0] / static_cast<float>(R);
  DL_GRID_STRIDE_LOOP(idx, R * R) {
    const int64_t i = idx / R, j = idx - i * R;
    dS[idx] = (probs[idx] + probs[j * R + i]) * scale - (j == (i + N) % R ? 2.0f * scale : 0.0f);
  }
}

}  // namespace

void nt_xent_cross_view_forward(float* loss, float* probs, const float* e1, const float* e2, int64_t N,
                                int64_t D, float tau) {
  if (N == 0) return;
  gemm(false, true, N, N, D, 1.0f / tau, e1, e2, 0.0f, probs);  // S = e1 e2^T / tau
  softmax_rows_and_mean_loss(loss, probs, N, /*mask_diagonal=*/false, /*target_offset=*/0);
}

void nt_xent_cross_view_backward(float* de1, float* de2, float* dS, const float* dloss, const float* e1,
                                 const float* e2, const float* probs, int64_t N, int64_t D, float tau) {
  if (N == 0 || (!de1 && !de2)) return;
  cross_view_ds_kernel<<<grid_for(N * N), kBlock, 0, stream()>>>(dS, dloss, probs, N);
  CUDA_CHECK_LAUNCH();
  if (de1) gemm(false, false, N, D, N, 1.0f / tau, dS, e2, 0.0f, de1);  // (N,N)(N,D)
  if (de2) gemm(true, false, N, D, N, 1.0f / tau, dS, e1, 0.0f, de2);   // (N,N)^T(N,D)
}

void nt_xent_forward(float* loss, float* probs, const float* z1, const float* z2, int64_t N, int64_t D,
                     float tau) {
  if (N == 0) return;
  const int64_t R = 2 * N;
  const float* z[2] = {z1, z2};
  for (int a = 0; a < 2; ++a)  // block (a, b) of S = z_a z_b^T / tau, written in place (ldc = 2N)
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, true, N, N, D, 1.0f / tau, z[a], D, z[b], D, 0.0f, probs + a * N * R + b * N, R);
  softmax_rows_and_mean_loss(loss, probs, R, /*mask_diagonal=*/true, /*target_offset=*/N);
}

void nt_xent_backward(float* dz1, float* dz2, float* dS, const float* dloss, const float* z1, const float* z2,
                      const float* probs, int64_t N, int64_t D, float tau) {
  if (N == 0 || (!dz1 && !dz2)) return;
  const int64_t R = 2 * N;
  nt_xent_ds_kernel<<<grid_for(R * R), kBlock, 0, stream()>>>(dS, dloss, probs, N);
  CUDA_CHECK_LAUNCH();
  const float* z[2] = {z1, z2};
  float* dz[2] = {dz1, dz2};
  for (int a = 0; a < 2; ++a) {  // dz_a = dS[a-rows, 0:N] z1 + dS[a-rows, N:2N] z2, all / tau
    if (!dz[a]) continue;
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, false, N, D, N, 1.0f / tau, dS + a * N * R + b * N, R, z[b], D, b == 0 ? 0.0f : 1.0f, dz[a], D);
  }
}

}  // namespace dl::cuda
