// conv2d_packed.cpp - see conv2d_packed.h.
#include "kernels/cpu/conv2d_packed.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "kernels/cpu/gemm_packed.h"
#include "tensor/tensor.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DL_CONV_PACKED_X86 1
#else
#define DL_CONV_PACKED_X86 0
#endif

namespace dl::cpu {

#if DL_CONV_PACKED_X86
namespace {

constexpr int64_t kNr = kPackNr, kMr = kPackMr, kKc = kPackKc;

// Columns per work unit: enough that each A chunk (OC x 256, <= 128 KB) is reused over several
// panels while it sits in L2, small enough that the unit's output tiles stay in L2 between k chunks.
constexpr int64_t kUnitCols = 512;

struct Geometry {
  int64_t C, H, W, OC, KH, KW, pad, P, K;
};

// For the panel starting at pixel q0 of an image: per kernel offset kk = kh KW + kw, the lane
// masks of the 16 pixels (valid source and q < P) and the source shift (kh - pad) W + (kw - pad).
struct alignas(32) LaneMask {
  int32_t lane[kNr];  // -1: load, 0: zero
};
struct PanelMasks {
  std::vector<LaneMask> mask;  // one per kk
  std::vector<int64_t> shift;
};

void panel_masks(PanelMasks& m, const Geometry& g, int64_t q0) {
  const int64_t kk_n = g.KH * g.KW;
  for (int64_t kk = 0; kk < kk_n; ++kk) {
    const int64_t kh = kk / g.KW, kw = kk % g.KW;
    int32_t* lane = m.mask[kk].lane;
    for (int64_t j = 0; j < kNr; ++j) {
      const int64_t q = q0 + j, oh = q / g.W, ow = q % g.W;
      const int64_t ih = oh - g.pad + kh, iw = ow - g.pad + kw;
      lane[j] = (q < g.P && ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? -1 : 0;
    }
    m.shift[kk] = (kh - g.pad) * g.W + (kw - g.pad);
  }
}

// panel (kc x 16) = rows [k0, k0 + kc) of the im2col matrix for pixels q0.. of one image.
__attribute__((target("avx2"))) void build_panel(float* panel, const float* img, const Geometry& g,
                                                 const PanelMasks& m, int64_t q0, int64_t k0, int64_t kc) {
  const int64_t kk_n = g.KH * g.KW, HW = g.H * g.W;
  int64_t c = k0 / kk_n, kk = k0 % kk_n;
  for (int64_t r = 0; r < kc; ++r, panel += kNr) {
    const float* src = img + c * HW + q0 + m.shift[kk];
    const __m256i* lane = reinterpret_cast<const __m256i*>(m.mask[kk].lane);
    _mm256_store_ps(panel, _mm256_maskload_ps(src, _mm256_load_si256(lane)));
    _mm256_store_ps(panel + 8, _mm256_maskload_ps(src + 8, _mm256_load_si256(lane + 1)));
    if (++kk == kk_n) kk = 0, ++c;
  }
}

}  // namespace

bool conv2d_forward_packed(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                           int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  if (!packed_gemm_available() || stride != 1 || H + 2 * pad - KH + 1 != H || W + 2 * pad - KW + 1 != W || N == 0)
    return false;
  const Geometry g{C, H, W, OC, KH, KW, pad, H * W, C * KH * KW};
  // Pack the weights once; shared read-only by all threads.
  Tensor ap_t = Tensor::empty({std::max<int64_t>(1, packed_a_floats(OC, g.K))});
  float* ap = ap_t.data();
  pack_a(ap, weight, OC, g.K, g.K);
  const int64_t panels_per_image = (g.P + kNr - 1) / kNr;
  const int64_t imgs_per_unit = std::clamp<int64_t>(kUnitCols / g.P, 1, N);
  const int64_t n_units = (N + imgs_per_unit - 1) / imgs_per_unit;
  // Below ~2 MFLOP a parallel region costs more than it saves (docs/conv2d.md).
  const bool parallel = n_units > 1 && 2 * N * OC * g.P * g.K > (int64_t{2} << 20);

#pragma omp parallel if (parallel)
  {
    alignas(64) float panel[kKc * kNr];
    PanelMasks masks{std::vector<LaneMask>(KH * KW), std::vector<int64_t>(KH * KW)};
#pragma omp for schedule(static)
    for (int64_t u = 0; u < n_units; ++u) {
      const int64_t n0 = u * imgs_per_unit, n1 = std::min(N, n0 + imgs_per_unit);
      for (int64_t k0 = 0; k0 < g.K; k0 += kKc) {
        const int64_t kc = std::min(kKc, g.K - k0);
        for (int64_t pi = 0; pi < panels_per_image; ++pi) {
          const int64_t q0 = pi * kNr, nr = std::min(kNr, g.P - q0);
          panel_masks(masks, g, q0);  // same for every image of the unit
          for (int64_t n = n0; n < n1; ++n) {
            build_panel(panel, inp + n * C * g.P, g, masks, q0, k0, kc);
            float* o = out + n * OC * g.P + q0;
            for (int64_t p = 0; p * kMr < OC; ++p)
              micro_kernel_6x16(kc, ap + (p * g.K + k0) * kMr, panel, o + p * kMr * g.P, g.P, std::min(kMr, OC - p * kMr),
                                nr, k0 == 0);
          }
        }
      }
      if (bias)
        for (int64_t n = n0; n < n1; ++n)
          for (int64_t o = 0; o < OC; ++o) {
            float* dst = out + (n * OC + o) * g.P;
            for (int64_t q = 0; q < g.P; ++q) dst[q] += bias[o];
          }
    }
  }
  return true;
}

#else

bool conv2d_forward_packed(float*, const float*, const float*, const float*, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int64_t) {
  return false;
}

#endif

}  // namespace dl::cpu
