// conv2d_winograd_wgrad.cpp - the weight gradient of the Winograd convolution (conv2d_winograd.h).
//
// The forward is out tile = A^T M A with M_xi = sum_c U_xi[., c] V_xi[c, .] and U = G g G^T, so
//   dM = A dY A^T (per tile),   dU_xi (OC, C) = sum over tiles dM_xi (OC, T) V_xi^T (T, C),
//   dW[o, c] += G^T dU[o, c] G,
// 16 GEMMs that reduce over tiles (derivation: docs/conv2d.md#winograd). Per block of tile rows
// a thread builds V from the input and dM from the output gradient (winograd_tiles.h) and adds
// the block's 16 products into the dU of its group. Blocks are cut into a fixed number of groups
// (from the shapes, not the thread count), each summed in block order into its own dU, and the
// groups are added in order: the same bits for any thread count.
#include <omp.h>

#include <algorithm>

#include "kernels/cpu/conv2d_winograd.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/transpose8.h"
#include "kernels/cpu/winograd_tiles.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

constexpr int64_t kNr = kPackNr, kMr = kPackMr, kKc = kPackKc;

// Groups of blocks: up to 4 (work for a few threads), fewer where 4 copies of dU (16 OC C floats
// each: 16 MB at 512 channels) would pass 32 MB.
int64_t group_count(int64_t n_blocks, int64_t du_floats) {
  return std::clamp<int64_t>(std::min<int64_t>(4, (int64_t{8} << 20) / du_floats), 1, n_blocks);
}

// dU (M, N) [ldc] += Ap (packed (M, K)) B^T, B given as (N, K) row-major with row stride ldb: V_xi
// is (C, T), and its transpose is what the product needs. Each 16-column panel of B^T is copied
// (transposed) into `panel` (kKc x 16), then the micro-kernel accumulates into dU.
void gemm_bt_accumulate(int64_t M, int64_t N, int64_t K, const float* Ap, const float* B, int64_t ldb, float* dU,
                        int64_t ldc, float* panel) {
  for (int64_t k0 = 0; k0 < K; k0 += kKc) {
    const int64_t kc = std::min(kKc, K - k0);
    for (int64_t j0 = 0; j0 < N; j0 += kNr) {
      const int64_t nr = std::min(kNr, N - j0);
      const float* src = B + j0 * ldb + k0;
      if (nr == kNr) {  // 8 x 8 blocks transposed in registers, then the last kc mod 8 rows
        const int64_t k8 = kc / 8 * 8;
        for (int64_t k = 0; k < k8; k += 8)
          for (int64_t j = 0; j < kNr; j += 8) transpose8x8_copy(panel + k * kNr + j, kNr, src + j * ldb + k, ldb);
        for (int64_t j = 0; j < kNr; ++j)
          for (int64_t k = k8; k < kc; ++k) panel[k * kNr + j] = src[j * ldb + k];
      } else {
        for (int64_t j = 0; j < kNr; ++j)
          for (int64_t k = 0; k < kc; ++k) panel[k * kNr + j] = j < nr ? src[j * ldb + k] : 0.0f;
      }
      for (int64_t m0 = 0, mr; m0 < M; m0 += mr) {
        mr = micro_kernel_rows(M, m0);
        micro_kernel(kc, packed_rows(Ap + k0 * kMr, K * kMr, m0), panel, dU + m0 * ldc + j0, ldc, mr, nr, false);
      }
    }
  }
}

}  // namespace

void conv2d_weight_grad_winograd(float* dweight, const float* dout, const float* inp, int64_t N, int64_t C, int64_t H,
                                 int64_t W, int64_t OC) {
  using namespace winograd;
  const Tiling tl = make_tiling(N, C, H, W, OC);
  const int64_t du_floats = kXi * OC * C, groups = group_count(tl.n_blocks, du_floats);
  const int64_t vs = C * tl.tb, ms = OC * tl.tb, pa = packed_a_floats(OC, tl.tb);
  Tensor du_t = zeros({groups * du_floats});
  float* du = du_t.data();

  const int64_t per_thread = kXi * (vs + ms) + pa + kKc * kNr + 20 * tl.tb;
  const int64_t threads = std::min<int64_t>(groups, omp_get_max_threads());
  Tensor ws = Tensor::empty({threads * per_thread});
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* V = ws.data() + omp_get_thread_num() * per_thread;  // (16, C, tb)
    float* dM = V + kXi * vs;                                   // (16, OC, tb)
    float* ap = dM + kXi * ms;                                  // one dM_xi, packed
    float* panel = ap + pa;
    float* d[16];  // (16, tb) and (4, tb): the gathered input patches and output-gradient pixels
    float* g[4];
    for (int q = 0; q < 16; ++q) d[q] = panel + kKc * kNr + q * tl.tb;
    for (int q = 0; q < 4; ++q) g[q] = d[15] + (q + 1) * tl.tb;
#pragma omp for schedule(static)
    for (int64_t grp = 0; grp < groups; ++grp) {
      float* du_g = du + grp * du_floats;
      for (int64_t b = grp * tl.n_blocks / groups; b < (grp + 1) * tl.n_blocks / groups; ++b) {
        const int64_t r0 = b * tl.rows_per_block, r1 = std::min(tl.rows_total, r0 + tl.rows_per_block);
        const int64_t nt = (r1 - r0) * tl.tw;
        transform_input_block(V, inp, C, H, W, tl, r0, r1, d);
        transform_grad_block(dM, dout, OC, H, W, tl, r0, r1, g);
        for (int64_t xi = 0; xi < kXi; ++xi) {
          pack_a(ap, dM + xi * ms, OC, nt, tl.tb);
          gemm_bt_accumulate(OC, C, nt, ap, V + xi * vs, tl.tb, du_g + xi * OC * C, C, panel);
        }
      }
    }
  }
  for (int64_t grp = 1; grp < groups; ++grp)  // the groups in order
    for (int64_t i = 0; i < du_floats; ++i) du[i] += du[grp * du_floats + i];
  weight_grad_from_transformed(dweight, du, OC, C);
}

}  // namespace dl::cpu
