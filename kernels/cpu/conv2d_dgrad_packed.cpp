// conv2d_dgrad_packed.cpp - see conv2d_dgrad_packed.h.
#include "kernels/cpu/conv2d_dgrad_packed.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/conv2d_packed.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/row_moves.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

// Along one axis, the kernel taps that reach input phase a: kh = s t + k for t < T, read from dout
// row i + e - t for input row s i + a.
struct PhaseTaps {
  int64_t k, T, e;
};
PhaseTaps phase_taps(int64_t a, int64_t s, int64_t pad, int64_t KH) {
  const int64_t k = (a + pad) % s;
  return {k, k < KH ? (KH - 1 - k) / s + 1 : 0, (a + pad - k) / s};
}

// Stride 2, input row phase a: rows a, a + 2, ... of each of the NC planes of dinp (H, W) from the
// phase planes (a, 0) and (a, 1) at planes and planes + plane_sz ((H - a + 1) / 2 rows of
// (W + 1) / 2 and W / 2 floats); a phase that no tap reaches is zero (and not in the scratch).
void interleave_phases(float* dinp, const float* planes, int64_t plane_sz, int64_t NC, int64_t H, int64_t W,
                       int64_t a, int64_t pad, int64_t KH, int64_t KW) {
  const int64_t Ha = (H - a + 1) / 2, W0 = (W + 1) / 2, W1 = W / 2;
  const bool row_live = phase_taps(a, 2, pad, KH).T > 0;
  const bool live[2] = {row_live && phase_taps(0, 2, pad, KW).T > 0, row_live && phase_taps(1, 2, pad, KW).T > 0};
  const std::vector<float> zeros(W0, 0.0f);
#pragma omp parallel for schedule(static) if (NC * Ha * W > 65536)
  for (int64_t nc = 0; nc < NC; ++nc)
    for (int64_t i = 0; i < Ha; ++i) {
      const float* e = live[0] ? planes + (nc * Ha + i) * W0 : zeros.data();
      const float* o = live[1] ? planes + plane_sz + (nc * Ha + i) * W1 : zeros.data();
      float* d = dinp + (nc * H + 2 * i + a) * W;
      interleave(e, o, W1, d);
      if (W0 > W1) d[W - 1] = e[W0 - 1];
    }
}

}  // namespace

bool conv2d_input_grad_packed_fits(int64_t N, int64_t C, int64_t H, int64_t W, int64_t stride, int64_t pad) {
  // The smallest phase plane (phase s - 1) is floor(H / s) x floor(W / s): the packed forward needs
  // >= 16 pixels, and all phases must take it (no half-done dinp on a false return).
  return packed_gemm_available() && N > 0 && C > 0 && pad >= 0 && (H / stride) * (W / stride) >= kPackNr;
}

bool conv2d_input_grad_packed(float* dinp, const float* dout, const float* weight, int64_t N, int64_t C, int64_t H,
                              int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  if (!conv2d_input_grad_packed_fits(N, C, H, W, stride, pad)) return false;
  const int64_t s = stride;
  const int64_t OH = (H + 2 * pad - KH) / s + 1, OW = (W + 2 * pad - KW) / s + 1;
  const int64_t H0 = (H + s - 1) / s, W0 = (W + s - 1) / s;  // phase 0's plane, the largest
  // Stride 2: the two phase planes of one input row phase (b = 0, 1) side by side, then
  // interleaved into whole rows of dinp (vector shuffles, not a scatter to every other pixel).
  const int64_t plane_sz = N * C * H0 * W0;
  Tensor scratch = Tensor::empty({s == 1 ? 1 : s == 2 ? 2 * plane_sz : plane_sz});
  const int64_t T_max_h = (KH + s - 1) / s, T_max_w = (KW + s - 1) / s;
  Tensor v_t = Tensor::empty({C * OC * T_max_h * T_max_w});
  float* v = v_t.data();
  // Phases no tap reaches (a 1x1 stride-2 shortcut: three of four) are zero: one contiguous fill of
  // dinp first instead of a strided pass per such phase.
  bool some_zero = false;
  for (int64_t a = 0; a < s; ++a) some_zero = some_zero || phase_taps(a, s, pad, KH).T == 0 || phase_taps(a, s, pad, KW).T == 0;
  if (some_zero && s != 2) std::fill_n(dinp, N * C * H * W, 0.0f);  // stride 2 writes every row (below)
  for (int64_t a = 0; a < s; ++a)
    for (int64_t b = 0; b < s; ++b) {
      const PhaseTaps ta = phase_taps(a, s, pad, KH), tb = phase_taps(b, s, pad, KW);
      const int64_t Ha = (H - a + s - 1) / s, Wb = (W - b + s - 1) / s;
      float* dst = s == 1 ? dinp : scratch.data() + (s == 2 ? b * plane_sz : 0);
      if (ta.T > 0 && tb.T > 0) {
        // V[c, o, t', u'] = W[o, c, s (Ta - 1 - t') + ka, s (Tb - 1 - u') + kb]
        for (int64_t c = 0; c < C; ++c)
          for (int64_t o = 0; o < OC; ++o)
            for (int64_t t = 0; t < ta.T; ++t)
              for (int64_t u = 0; u < tb.T; ++u)
                v[((c * OC + o) * ta.T + t) * tb.T + u] =
                    weight[((o * C + c) * KH + s * (ta.T - 1 - t) + ta.k) * KW + s * (tb.T - 1 - u) + tb.k];
        conv2d_forward_packed_explicit(dst, dout, v, nullptr, N, OC, OH, OW, C, ta.T, tb.T, 1, ta.T - 1 - ta.e,
                                       tb.T - 1 - tb.e, Ha, Wb);
        if (s == 1) return true;
      }
      if (s == 2) {
        if (b == 1) interleave_phases(dinp, scratch.data(), plane_sz, N * C, H, W, a, pad, KH, KW);
        continue;
      }
      if (ta.T == 0 || tb.T == 0) continue;  // zero, filled above
      // Scatter the phase plane into every s-th pixel of dinp.
#pragma omp parallel for schedule(static) if (N * C * Ha * Wb > 65536)
      for (int64_t nc = 0; nc < N * C; ++nc) {
        const float* src = dst + nc * Ha * Wb;
        float* d = dinp + nc * H * W + a * W + b;
        for (int64_t i = 0; i < Ha; ++i)
          for (int64_t j = 0; j < Wb; ++j) d[i * s * W + j * s] = src[i * Wb + j];
      }
    }
  return true;
}

}  // namespace dl::cpu
