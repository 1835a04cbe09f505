// conv2d_wgrad_panels.cpp - see conv2d_wgrad_panels.h and conv2d_wgrad_packed.h.
#include "kernels/cpu/conv2d_wgrad_panels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "kernels/cpu/simd.h"
#include "kernels/cpu/transpose8.h"

namespace dl::cpu::wgrad {

// In-register transpose: v[t][s] -> v[s][t] for an 8x8 block (transpose8.h's, on __m256).
__attribute__((target("avx2"))) inline void transpose8(__m256 v[8]) {
  simd::Vec<8> r[8];
  for (int i = 0; i < 8; ++i) r[i] = reinterpret_cast<simd::Vec<8>>(v[i]);
  transpose8x8(r);
  for (int i = 0; i < 8; ++i) v[i] = reinterpret_cast<__m256>(r[i]);
}

// Ap (panels of 6 rows of dY, kc pixels each): Ap[(p kc + k) 6 + r] = dY[6p + r, pixel k], zero
// for rows past OC and for the padding pixels q >= P. Per 8 pixels: 6 (masked) row loads, one 8x8
// transpose (rows 6, 7 zero), and 8 overlapping 8-float stores 6 floats apart in ascending order
// (each store's last 2 floats are overwritten by the next one; the very last store of the buffer
// spills 2 floats into its slack, see ap_sz).
__attribute__((target("avx2"))) void pack_dy(float* ap, const float* dout, const Geometry& g, const Chunk& ch) {
  const int64_t n_panels = (g.OC + kMr - 1) / kMr;
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int64_t valid = std::clamp<int64_t>(g.P - ch.q0, 0, ch.seg);  // real pixels per image segment
  for (int64_t p = 0; p < n_panels; ++p) {
    const int64_t rows = std::min(kMr, g.OC - p * kMr);
    for (int64_t i = 0; i < ch.nimg; ++i) {
      const float* src = dout + ((ch.n0 + i) * g.OC + p * kMr) * g.P + ch.q0;
      float* d = ap + (p * ch.kc + i * ch.seg) * kMr;
      for (int64_t k = 0; k < ch.seg; k += 8, d += 8 * kMr) {
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid - k)), iota);
        __m256 v[8];
        // Plain loads for a full group of 8 pixels (all but the last group of a segment).
        const bool full = valid - k >= 8;
        for (int64_t r = 0; r < 8; ++r)
          v[r] = r >= rows ? _mm256_setzero_ps()
                 : full    ? _mm256_loadu_ps(src + r * g.P + k)
                           : _mm256_maskload_ps(src + r * g.P + k, m);
        transpose8(v);
        for (int64_t s = 0; s < 8; ++s) _mm256_storeu_ps(d + s * kMr, v[s]);
      }
    }
  }
}

// One 8-row half of a panel for 8 pixels starting at q: v[t] = cols[row t][q .. q + 8), transposed
// and stored as 8 panel rows. src[t] = image + c HW + shift[kk] of row t, mask[t] its mask row.
__attribute__((target("avx2"))) inline void half_block(float* prow, const float* const* src,
                                                       const LaneMask8* const* mask, int64_t q, int64_t gi) {
  __m256 v[8];
  for (int t = 0; t < 8; ++t)
    v[t] = _mm256_maskload_ps(src[t] + q, _mm256_load_si256(reinterpret_cast<const __m256i*>(mask[t][gi].lane)));
  transpose8(v);
  for (int s = 0; s < 8; ++s) _mm256_store_ps(prow + s * kNr, v[s]);
}

// panel (kc x 16): panel[k 16 + t] = cols[j0 + t, chunk pixel k] (zero for j0 + t >= K).
// Row j = (c, kk) of cols at pixel q of an image is plane_c[q + shift[kk]] where masks[kk][q / 8]
// says it is inside the image ('same' stride-1 geometry, see conv2d_packed.h). Rows past K read
// row K - 1 with the all-zero mask row zmask.
__attribute__((target("avx2"))) void build_panel_t(float* panel, const float* inp, const Geometry& g,
                                                   const LaneMask8* masks, const LaneMask8* zmask,
                                                   const int64_t* shift, const Chunk& ch, int64_t j0) {
  const int64_t kk_n = g.KH * g.KW, G8 = g.P8 / 8;
  int64_t off[kNr];             // source offset within an image: c HW + shift[kk]
  const LaneMask8* mrow[kNr];   // the mask row of kk (indexed by 8-pixel group)
  for (int64_t t = 0; t < kNr; ++t) {
    const int64_t j = std::min(j0 + t, g.K - 1);
    off[t] = (j / kk_n) * g.HW + shift[j % kk_n];
    mrow[t] = j0 + t < g.K ? masks + (j % kk_n) * G8 : zmask;
  }
  const bool second = j0 + 8 < g.K;  // the second half has a valid row
  for (int64_t i = 0; i < ch.nimg; ++i) {
    const float* img = inp + (ch.n0 + i) * g.C * g.HW;
    const float* src[kNr];
    for (int64_t t = 0; t < kNr; ++t) src[t] = img + off[t];
    float* prow = panel + i * ch.seg * kNr;
    for (int64_t q = ch.q0; q < ch.q0 + ch.seg; q += 8, prow += 8 * kNr) {
      half_block(prow, src, mrow, q, q / 8);
      if (second) half_block(prow + 8, src + 8, mrow + 8, q, q / 8);
      else
        for (int s = 0; s < 8; ++s) _mm256_store_ps(prow + s * kNr + 8, _mm256_setzero_ps());
    }
  }
}

// ---- channels-last variant (C a multiple of 16) ---------------------------------------------------
// The columns of dW are taken in the order (channel group of 16, kk, channel in group): a panel is
// then (kk, 16 channels), and its row for pixel (oh, ow) is the 16 channels of the input at
// (oh - pad + kh, ow - pad + kw): one 64-byte row of a zero-padded channels-last copy S of those
// 16 channels. S is built once per (chunk, channel group) with 8x8 transposes; each of the KH KW
// panels is then plain copies of contiguous runs of S rows (one per output row), instead of 8x8
// transposes per panel. dW is accumulated in that column order into a scratch and permuted into
// dweight (OC, C, KH, KW) at the end.

// S rows of image i of a chunk: output rows [orow0, orow1) need input rows
// [orow0 s - pad, (orow1 - 1) s - pad + KH): R = (orow1 - 1 - orow0) s + KH rows of Wp = W + 2 pad
// pixels (any stride and padding: output pixel (oh, ow) at offset (kh, kw) reads S row
// (oh - orow0) s + kh, column ow s + kw).
struct SliceRows {
  int64_t orow0, orow1, valid;  // valid: real pixels of the image in the chunk
};
inline SliceRows slice_rows(const Geometry& g, const Chunk& ch) {
  const int64_t valid = std::clamp<int64_t>(g.P - ch.q0, 0, ch.seg);
  return {ch.q0 / g.OW, (ch.q0 + valid + g.OW - 1) / g.OW, valid};
}

// S (per image of the chunk, slice_sz floats apart): S[(r Wp + pc) 16 + c'] = inp[n, 16 cg + c',
// orow0 s - pad + r, pc - pad], zero outside the image. pos[x] = (x / W) Wp + x % W.
__attribute__((target("avx2"))) void build_slice(float* S, int64_t slice_sz, const float* inp, const Geometry& g,
                                                 const Chunk& ch, int64_t cg, const int32_t* pos) {
  const int64_t Wp = g.Wp;
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int64_t i = 0; i < ch.nimg; ++i) {
    const float* img = inp + ((ch.n0 + i) * g.C + cg * kNr) * g.HW;
    float* Si = S + i * slice_sz;
    const SliceRows sr = slice_rows(g, ch);
    const int64_t rbase = sr.orow0 * g.s - g.pad, R = (sr.orow1 - 1 - sr.orow0) * g.s + g.KH;
    for (int64_t r = 0; r < R; ++r) {  // zero the rows outside the image and the column halo
      float* row = Si + r * Wp * kNr;
      const int64_t ih = rbase + r;
      if (ih < 0 || ih >= g.H) {
        std::fill_n(row, Wp * kNr, 0.0f);
      } else {
        std::fill_n(row, g.pad * kNr, 0.0f);
        std::fill_n(row + (g.pad + g.W) * kNr, (Wp - g.pad - g.W) * kNr, 0.0f);
      }
    }
    const int64_t ih_lo = std::max<int64_t>(0, rbase), ih_hi = std::min(g.H, rbase + R);
    if (ih_hi <= ih_lo) continue;
    const int64_t qa = ih_lo * g.W, qb = ih_hi * g.W;  // the input pixels inside S, contiguous
    float* base = Si + ((ih_lo - rbase) * Wp + g.pad) * kNr;
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t q = qa; q < qb; q += 8) {
        const int64_t n = std::min<int64_t>(8, qb - q);
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), iota);
        __m256 v[8];
        for (int64_t t = 0; t < 8; ++t)
          v[t] = n == 8 ? _mm256_loadu_ps(img + (8 * h + t) * g.HW + q) : _mm256_maskload_ps(img + (8 * h + t) * g.HW + q, m);
        transpose8(v);
        const int32_t* ps = pos + (q - qa);
        for (int64_t s = 0; s < n; ++s) _mm256_storeu_ps(base + ps[s] * kNr + 8 * h, v[s]);
      }
  }
}

// Strided convolutions: panel (kc x 16) for kernel offset (kh, kw) copied from S, per output row
// pixels s S rows apart. (Read in place, the s S-row spacing spreads the panel over s times the
// lines, more than L1 holds across the row panels: measured 1.03-1.14x slower at stride 2.)
__attribute__((target("avx2"))) void build_panel_cl(float* panel, const float* S, int64_t slice_sz,
                                                    const Geometry& g, const Chunk& ch, int64_t kh, int64_t kw) {
  const SliceRows sr = slice_rows(g, ch);
  const int64_t step = g.s * kNr;
  for (int64_t i = 0; i < ch.nimg; ++i) {
    const float* Si = S + i * slice_sz;
    float* prow = panel + i * ch.seg * kNr;
    for (int64_t q = ch.q0; q < ch.q0 + sr.valid;) {
      const int64_t oh = q / g.OW, ow = q % g.OW, len = std::min(g.OW - ow, ch.q0 + sr.valid - q);
      const float* src = Si + (((oh - sr.orow0) * g.s + kh) * g.Wp + ow * g.s + kw) * kNr;
      float* dst = prow + (q - ch.q0) * kNr;
      for (int64_t x = 0; x < len; ++x, src += step, dst += kNr) {
        _mm256_store_ps(dst, _mm256_loadu_ps(src));
        _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
      }
      q += len;
    }
    for (int64_t k = sr.valid; k < ch.seg; ++k)  // the padding pixels up to P8
      for (int64_t x = 0; x < kNr; x += 8) _mm256_store_ps(prow + k * kNr + x, _mm256_setzero_ps());
  }
}

// Stride 1: the micro-kernel reads the B panel of kernel offset (kh, kw) in place from S: the row of chunk
// pixel k is the 16 floats at S + (kh Wp + kw) 16 + off[k], with off[k] the S position of the pixel
// (image i of the chunk, output pixel (oh, ow)): i slice_sz + ((oh - orow0) s Wp + ow s) 16.
// The padding pixels up to P8 point at the chunk's first pixel: their dY (the A side) is zero.
void pixel_offsets(int64_t* off, int64_t slice_sz, const Geometry& g, const Chunk& ch) {
  const SliceRows sr = slice_rows(g, ch);
  // Pixel q = q0 + k (q0 itself past the valid ones) at output (oh, ow), walked without divisions.
  const int64_t oh0 = ch.q0 / g.OW, ow0 = ch.q0 % g.OW;
  const auto at = [&](int64_t oh, int64_t ow) { return ((oh - sr.orow0) * g.s * g.Wp + ow * g.s) * kNr; };
  for (int64_t i = 0; i < ch.nimg; ++i) {
    int64_t oh = oh0, ow = ow0;
    for (int64_t k = 0; k < ch.seg; ++k) {
      off[i * ch.seg + k] = i * slice_sz + (k < sr.valid ? at(oh, ow) : at(oh0, ow0));
      if (++ow == g.OW) ow = 0, ++oh;
    }
  }
}

// The transposing builder's tables ('same' stride-1 shapes): the lane masks per (kk, 8-pixel
// group) and the source shift per kk, shared read-only by all threads. masks gets kk_n G8 + G8
// rows; the last G8 are all zero, for panel rows past K.
void lane_masks(std::vector<LaneMask8>& masks, std::vector<int64_t>& shift, const Geometry& g) {
  const int64_t kk_n = g.KH * g.KW, G8 = g.P8 / 8;
  masks.assign(kk_n * G8 + G8, LaneMask8{});
  for (int64_t kk = 0; kk < kk_n; ++kk) {
    const int64_t kh = kk / g.KW, kw = kk % g.KW;
    shift[kk] = (kh - g.pad) * g.W + (kw - g.pad);
    for (int64_t gi = 0; gi < G8; ++gi)
      for (int64_t l = 0; l < 8; ++l) {
        const int64_t q = 8 * gi + l, ih = q / g.W - g.pad + kh, iw = q % g.W - g.pad + kw;
        masks[kk * G8 + gi].lane[l] = (q < g.P && ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? -1 : 0;
      }
  }
}

ChunkPlan plan_chunks(const Geometry& g, int64_t N) {
  ChunkPlan plan{};
  if (g.P8 >= kKc) {
    plan.per_image = (g.P8 + kKc - 1) / kKc;
    plan.n_chunks = N * plan.per_image;
  } else {
    plan.imgs_per_chunk = kKc / g.P8;
    plan.n_chunks = (N + plan.imgs_per_chunk - 1) / plan.imgs_per_chunk;
  }
  return plan;
}

}  // namespace dl::cpu::wgrad

#endif
