// conv2d_winograd.cpp - the Winograd forward (conv2d_winograd.h); the tile transforms are in
// kernels/cpu/winograd_tiles.h, the derivation in docs/conv2d.md#winograd.
//
// Work unit: a block of consecutive tile rows of the batch. Per block a thread fills V (16, C, T)
// from the input, runs the 16 GEMMs M_xi = U_xi V_xi into M (16, OC, T) and writes the output
// tiles; up to 256 channels V and M are sized to stay in L2, and the input and the output pass
// through memory once.
#include "kernels/cpu/conv2d_winograd.h"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/winograd_tiles.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {
std::atomic<int> g_enabled{-1};  // -1: not decided yet (read DL_WINOGRAD)
}  // namespace

void set_winograd_enabled(bool on) { g_enabled.store(on ? 1 : 0); }

bool conv2d_forward_winograd_fits(int64_t C, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  return KH == 3 && KW == 3 && stride == 1 && pad == 1 && C > 0 && OC > 0 && packed_gemm_available() &&
         env_switch_on(g_enabled, "DL_WINOGRAD");
}

void conv2d_forward_winograd(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                             int64_t C, int64_t H, int64_t W, int64_t OC) {
  using namespace winograd;
  const Tiling tl = make_tiling(N, C, H, W, OC);

  // U as one packed A (gemm_packed.h) per position xi; shared read-only by all threads.
  const int64_t pa = packed_a_floats(OC, C);
  Tensor up_t = Tensor::empty({kXi * pa});
  transform_weights_packed(up_t.data(), weight, OC, C);
  const float* up = up_t.data();

  const int64_t vs = C * tl.tb, ms = OC * tl.tb;  // floats per plane xi of V and of M
  const int64_t per_thread = kXi * (vs + ms) + 20 * tl.tb;
  const int64_t threads = tl.n_blocks > 1 ? omp_get_max_threads() : 1;
  Tensor ws = Tensor::empty({threads * per_thread});
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* V = ws.data() + omp_get_thread_num() * per_thread;  // (16, C, T), T = tl.tb
    float* M = V + kXi * vs;                                    // (16, OC, T)
    float* scratch = M + kXi * ms;
    float* d[16];  // (16, T): the input patches of the block's tiles, for one channel at a time
    for (int q = 0; q < 16; ++q) d[q] = scratch + q * tl.tb;
    float* y = scratch + 16 * tl.tb;  // (4, T): the output pixels of the block's tiles
#pragma omp for schedule(static)
    for (int64_t b = 0; b < tl.n_blocks; ++b) {
      const int64_t r0 = b * tl.rows_per_block, r1 = std::min(tl.rows_total, r0 + tl.rows_per_block);
      const int64_t nt = (r1 - r0) * tl.tw;
      transform_input_block(V, inp, C, H, W, tl, r0, r1, d);
      for (int64_t xi = 0; xi < kXi; ++xi)
        gemm_packed_a(OC, nt, C, up + xi * pa, V + xi * vs, tl.tb, M + xi * ms, tl.tb);
      for (int64_t o = 0; o < OC; ++o) {
        output_transform_block(y, M + o * tl.tb, ms, nt, bias ? bias[o] : 0.0f);
        for (int64_t r = r0; r < r1; ++r)
          store_tile_row(out + ((r / tl.th) * OC + o) * H * W, y, nt, (r - r0) * tl.tw, H, W, r % tl.th, tl.tw);
      }
    }
  }
}

}  // namespace dl::cpu
