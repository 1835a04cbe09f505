// nt_xent.cu - the two contrastive losses (CUDA twin of kernels/cpu/nt_xent.cpp, derivation in
// docs/nt_xent.md): cuBLAS for the similarity matrix S = z z^T / tau; one kernel, one block per
// row, for the (masked) log-sum-exp that writes the row's loss and, in place of S, the row of
// dS = d loss / d S = (p - onehot(target)) / rows; a deterministic mean of the row losses
// (sum_terms: cub::DeviceReduce in double, run-to-run deterministic on a given GPU). The backward
// is cuBLAS GEMMs on dS (and dS^T) with alpha = 1 / tau, then one scaling of the input gradients
// by the upstream dloss (a device scalar: scaling on the device avoids a host read and a
// synchronization).
//
// Naive: S by a hand-written kernel, softmax probabilities stored separately, and the backward
// forming G + G^T. Here: cuBLAS for S (2 R^2 D FLOP), one row pass that overwrites S with dS in
// place (one read + one write of R^2 floats), GEMMs on dS and dS^T for the input gradients.
// Bound: the GEMMs are compute bound, the row pass memory bound (8 B per entry of S); at batch
// 256 and D = 128 all of it is small and launch latency matters most.
#include <cmath>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/nt_xent.h"

namespace dl::cuda {

namespace {

// Block i (R blocks of BLOCK = blockDim.x threads) owns row i of S (R, R). Candidates: every column
// but skip = i when mask_diagonal; target = (i + target_offset) mod R. Writes
//   row_loss[i] = lse - S[i, target],   S[i, j] <- p_j inv_rows - [j = target] inv_rows
// with p_j = exp(S_ij - lse) (0 for the skipped column).
template <int BLOCK>
__global__ void loss_grad_rows_kernel(float* S, float* row_loss, int64_t R, bool mask_diagonal, int64_t target_offset,
                                      float inv_rows) {
  const int64_t i = blockIdx.x;
  float* s = S + i * R;
  const int64_t skip = mask_diagonal ? i : -1, target = (i + target_offset) % R;
  const float s_target = s[target];  // every thread reads it before block_max's barrier; writes come later
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x)
    if (j != skip) m = fmaxf(m, s[j]);
  m = block_max<BLOCK>(m);
  float sum = 0.0f;
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x)
    if (j != skip) sum += expf(s[j] - m);
  const float lse = m + logf(block_sum<BLOCK>(sum));  // block_sum synchronizes: every read of other columns is done
  for (int64_t j = threadIdx.x; j < R; j += blockDim.x) {
    const float p = j == skip ? 0.0f : expf(s[j] - lse);
    s[j] = p * inv_rows - (j == target ? inv_rows : 0.0f);
  }
  if (threadIdx.x == 0) row_loss[i] = lse - s_target;
}

struct RowLoss {
  const float* v;
  __device__ float operator()(int64_t i) const { return v[i]; }
};

// S (R, R) -> dS in place; loss[0] = mean of the R row losses.
void loss_grad_rows(float* loss, float* S, int64_t R, bool mask_diagonal, int64_t target_offset) {
  ScratchBuffer row_loss(static_cast<size_t>(R) * sizeof(float));
  with_row_block(R, [&](auto b) {
    constexpr int B = decltype(b)::value;
    loss_grad_rows_kernel<B><<<static_cast<unsigned>(R), B, 0, stream()>>>(
        S, row_loss.as<float>(), R, mask_diagonal, target_offset, 1.0f / static_cast<float>(R));
  });
  CUDA_CHECK_LAUNCH();
  sum_terms(loss, nullptr, RowLoss{row_loss.as<float>()}, R, 1.0 / static_cast<double>(R));
}

// x (n) *= s[0] (s a device scalar: the upstream gradient of the loss).
__global__ void scale_by_device_scalar_kernel(float* x, const float* s, int64_t n) {
  const float k = s[0];
  DL_GRID_STRIDE_LOOP(i, n) x[i] *= k;
}

void scale_by(float* x, const float* s, int64_t n) {
  if (!x || n == 0) return;
  scale_by_device_scalar_kernel<<<grid_for(n), kBlock, 0, stream()>>>(x, s, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau) {
  if (N == 0) return;
  gemm(false, true, N, N, D, 1.0f / tau, e1, e2, 0.0f, dS);  // S = e1 e2^T / tau
  loss_grad_rows(loss, dS, N, /*mask_diagonal=*/false, /*target_offset=*/0);
}

void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau) {
  if (N == 0 || D == 0 || (!de1 && !de2)) return;
  if (de1) gemm(false, false, N, D, N, 1.0f / tau, dS, e2, 0.0f, de1);  // (N,N)(N,D)
  if (de2) gemm(true, false, N, D, N, 1.0f / tau, dS, e1, 0.0f, de2);   // (N,N)^T(N,D)
  scale_by(de1, dloss, N * D);
  scale_by(de2, dloss, N * D);
}

void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau) {
  if (N == 0) return;
  const int64_t R = 2 * N;
  const float* z[2] = {z1, z2};
  for (int a = 0; a < 2; ++a)  // block (a, b) of S = z_a z_b^T / tau, written in place (ldc = 2N)
    for (int b = 0; b < 2; ++b)
      gemm_ld(false, true, N, N, D, 1.0f / tau, z[a], D, z[b], D, 0.0f, dS + a * N * R + b * N, R);
  loss_grad_rows(loss, dS, R, /*mask_diagonal=*/true, /*target_offset=*/N);
}

void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau) {
  if (N == 0 || D == 0 || (!dz1 && !dz2)) return;
  const int64_t R = 2 * N;
  const float* z[2] = {z1, z2};
  float* dz[2] = {dz1, dz2};
  // dz_a = sum_b (dS_ab z_b + (dS_ba)^T z_b) / tau, dS_ab the (a, b) N x N block (row stride 2N).
  for (int a = 0; a < 2; ++a) {
    if (!dz[a]) continue;
    for (int b = 0; b < 2; ++b) {
      gemm_ld(false, false, N, D, N, 1.0f / tau, dS + a * N * R + b * N, R, z[b], D, b == 0 ? 0.0f : 1.0f, dz[a], D);
      gemm_ld(true, false, N, D, N, 1.0f / tau, dS + b * N * R + a * N, R, z[b], D, 1.0f, dz[a], D);
    }
    scale_by(dz[a], dloss, N * D);
  }
}

}  // namespace dl::cuda
