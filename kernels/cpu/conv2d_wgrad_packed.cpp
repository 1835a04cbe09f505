// conv2d_wgrad_packed.cpp - see conv2d_wgrad_packed.h.
#include "kernels/cpu/conv2d_wgrad_packed.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "kernels/cpu/gemm_packed.h"
#include "tensor/tensor.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DL_WGRAD_PACKED_X86 1
#else
#define DL_WGRAD_PACKED_X86 0
#endif

namespace dl::cpu {

namespace {
std::atomic<int> g_wgrad_enabled{-1};  // -1: not decided yet (read DL_PACKED_WGRAD)
bool wgrad_enabled() { return env_switch_on(g_wgrad_enabled, "DL_PACKED_WGRAD"); }
}  // namespace

void set_packed_wgrad_enabled(bool on) { g_wgrad_enabled.store(on ? 1 : 0); }
bool packed_wgrad_enabled() { return wgrad_enabled(); }

#if DL_WGRAD_PACKED_X86
namespace {

constexpr int64_t kNr = kPackNr, kMr = kPackMr, kKc = kPackKc;
// Rows of dW per M block: the packed dY chunk of one block (<= 132 x 256 floats, 132 KB) stays in
// L2 while the B panels of the block pass; larger OC (256, 512) is cut into blocks and the B
// panels are rebuilt per block (their build costs ~5 instructions per 8 x OC FMAs).
constexpr int64_t kMaxBlockRows = 128;
// Chunk groups for a small dW (see the work split in conv2d_weight_grad_packed).
constexpr int64_t kChunkGroups = 4, kGroupMaxFloats = int64_t{1} << 18;

struct alignas(32) LaneMask8 {
  int32_t lane[8];  // -1: load, 0: zero
};

struct Geometry {
  int64_t C, H, W, OC, KH, KW, pad, P, P8, K, HW, s, OH, OW, Wp;  // P = OH OW, HW = H W, Wp = W + 2 pad
};

// Pixels of a chunk: images [n0, n0 + nimg), pixels [q0, q0 + seg) of each (seg = P8 when
// nimg > 1), kc = nimg seg pixels in all; chunk pixel i seg + (q - q0) is pixel q of image n0 + i.
struct Chunk {
  int64_t n0, nimg, q0, seg, kc;
};

struct ChunkPlan {
  int64_t n_chunks, per_image, imgs_per_chunk;  // per_image > 0: P8 >= kKc, else imgs_per_chunk
  Chunk chunk(const Geometry& g, int64_t N, int64_t c) const {
    if (per_image > 0) {
      const int64_t q0 = (c % per_image) * kKc, seg = std::min(kKc, g.P8 - q0);
      return {c / per_image, 1, q0, seg, seg};
    }
    const int64_t n0 = c * imgs_per_chunk, nimg = std::min(imgs_per_chunk, N - n0);
    return {n0, nimg, 0, g.P8, nimg * g.P8};
  }
};

// In-register transpose: v[t][s] -> v[s][t] for an 8x8 block.
__attribute__((target("avx2"))) inline void transpose8(__m256 v[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
  const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
  const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
  const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  v[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  v[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  v[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  v[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  v[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  v[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  v[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  v[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
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
  for (int64_t i = 0; i < ch.nimg; ++i)
    for (int64_t k = 0; k < ch.seg; ++k) {
      const int64_t q = ch.q0 + (k < sr.valid ? k : 0), oh = q / g.OW, ow = q % g.OW;
      off[i * ch.seg + k] = i * slice_sz + ((oh - sr.orow0) * g.s * g.Wp + ow * g.s) * kNr;
    }
}

}  // namespace

bool conv2d_weight_grad_packed_fits(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW,
                                    int64_t stride, int64_t pad) {
  // K < 32 (the 3-channel stem): every thread packs all of dY for only 1-2 column panels; measured
  // 1.5x slower than im2col + OpenBLAS at (3 -> 64, 32x32), so that path keeps it.
  // C a multiple of 16: the channels-last panels, any stride and padding; otherwise the transposing
  // panel builder, 'same' stride-1 shapes only.
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  const bool cl = C % kNr == 0;
  const bool same = stride == 1 && OH == H && OW == W;
  // Strided 1x1 (the shortcuts): S would hold all input rows and columns for one panel each, the
  // stride skipping 3/4 of them (measured 1.1-1.6x slower than im2col + OpenBLAS); they keep that path.
  // Strided with OC > 128 (several M blocks, each rebuilding the slices; width 64's 128 -> 256 and
  // 256 -> 512): measured 0.9-1.1x of the old path, i.e. no gain; they keep it too.
  const bool strided_pointwise = KH * KW == 1 && stride > 1;
  const bool strided_wide = stride > 1 && OC > kMaxBlockRows;
  return wgrad_enabled() && packed_gemm_available() && (cl || same) && !strided_pointwise && !strided_wide && N > 0 &&
         OC > 0 && C * KH * KW >= 32 && H + 2 * pad >= KH && W + 2 * pad >= KW;
}

bool conv2d_weight_grad_packed(float* dweight, const float* dout, const float* inp, int64_t N, int64_t C, int64_t H,
                               int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  if (!conv2d_weight_grad_packed_fits(N, C, H, W, OC, KH, KW, stride, pad)) return false;
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  const bool cl = C % kNr == 0;
  const int64_t P = OH * OW;
  const Geometry g{C, H, W, OC, KH, KW, pad, P, (P + 7) / 8 * 8, C * KH * KW, H * W, stride, OH, OW, W + 2 * pad};
  const int64_t kk_n = KH * KW, G8 = g.P8 / 8;
  // Lane masks per (kk, 8-pixel group) and source shifts per kk: shared, read-only.
  std::vector<LaneMask8> masks(cl ? 0 : kk_n * G8 + G8);  // the last G8: all zero, for rows past K
  std::vector<int64_t> shift(kk_n);
  for (int64_t kk = 0; kk < kk_n && !cl; ++kk) {
    const int64_t kh = kk / KW, kw = kk % KW;
    shift[kk] = (kh - pad) * W + (kw - pad);
    for (int64_t gi = 0; gi < G8; ++gi)
      for (int64_t l = 0; l < 8; ++l) {
        const int64_t q = 8 * gi + l, ih = q / W - pad + kh, iw = q % W - pad + kw;
        masks[kk * G8 + gi].lane[l] = (q < P && ih >= 0 && ih < H && iw >= 0 && iw < W) ? -1 : 0;
      }
  }
  ChunkPlan plan{};
  if (g.P8 >= kKc) {
    plan.per_image = (g.P8 + kKc - 1) / kKc;
    plan.n_chunks = N * plan.per_image;
  } else {
    plan.imgs_per_chunk = kKc / g.P8;
    plan.n_chunks = (N + plan.imgs_per_chunk - 1) / plan.imgs_per_chunk;
  }
  // Tiles of dW (6 rows x 16 columns), ordered (M block, column panel, row panel); each thread
  // owns a contiguous range of them and sums every chunk into them in chunk order, so each dW
  // element is one fixed sum whatever thread computes it (no partials, no final reduction).
  const int64_t n_p = (OC + kMr - 1) / kMr, n_j = (g.K + kNr - 1) / kNr;
  const int64_t n_mb0 = (n_p * kMr + kMaxBlockRows - 1) / kMaxBlockRows;
  const int64_t p_per_mb = (n_p + n_mb0 - 1) / n_mb0;
  const int64_t n_mb = (n_p + p_per_mb - 1) / p_per_mb;  // no empty last block, whatever OC
  const int64_t n_tiles = n_p * n_j;
  const int64_t ap_sz = n_p * kMr * kKc + 8;  // + 8: pack_dy's last store spills 2 floats
  // Channels-last variant: per thread a slice S per image of a chunk, and a shared dW scratch.
  const int64_t out_rows_max = plan.per_image > 0 ? std::min(OH, kKc / OW + 2) : OH;
  const int64_t slice_sz = cl ? ((out_rows_max - 1) * stride + KH) * g.Wp * kNr : 0;
  const int64_t s_sz = cl ? slice_sz * (plan.per_image > 0 ? 1 : plan.imgs_per_chunk) : 0;
  const int64_t per_thread = ap_sz + s_sz;
  const int64_t threads = omp_get_max_threads();
  // Work split, fixed by the shapes. Default: each thread owns a contiguous range of dW tiles and
  // sums every chunk into them (see the header). With a small dW (channels-last, <= 1 MB) that made
  // every thread pack all of dY and build every slice S for its few tiles (measured: 1.2x from 1 to
  // 2 threads at 16 channels 32x32); there the chunks are cut into kChunkGroups fixed groups of
  // consecutive chunks instead, each summed over all tiles into its own dW scratch, and the
  // scratches are added in group order at the end. Either way each dW element is one fixed sum,
  // whatever the thread count.
  const int64_t groups = cl && OC * g.K <= kGroupMaxFloats && plan.n_chunks >= kChunkGroups ? kChunkGroups : 1;
  const int64_t dw_sz = OC * g.K;
  Tensor ws = Tensor::empty({threads * per_thread + (cl ? groups * dw_sz : 0)});
  float* wsp = ws.data();
  float* dwp = cl ? wsp + threads * per_thread : dweight;  // per group (OC, C/16, KH KW, 16) when cl
  std::vector<int32_t> pos(cl ? H * W : 0);
  for (int64_t x = 0; x < static_cast<int64_t>(pos.size()); ++x) pos[x] = static_cast<int32_t>(x / W * g.Wp + x % W);
  const bool in_place = stride == 1;  // B read from S by the micro-kernel (channels-last only)
  // Below ~2 MFLOP a parallel region costs more than it saves (docs/conv2d.md).
  const bool parallel = (n_tiles > 1 || groups > 1) && 2 * N * OC * P * g.K > (int64_t{2} << 20);

#pragma omp parallel if (parallel)
  {
    const int64_t t = omp_get_thread_num();
    float* ap = wsp + t * per_thread;
    float* S = ap + ap_sz;
    alignas(64) float panel[kKc * kNr];  // B panel (when not read in place)
    std::vector<int64_t> pix_off(cl && in_place ? kKc : 0);
    const float* tap[2] = {};
    // Chunk c summed into the dW tiles [t0, t1) of `dw_base` (written when `first`, cl only).
    auto run_chunk = [&](int64_t c, int64_t t0, int64_t t1, float* dw_base, bool first) {
      const Chunk ch = plan.chunk(g, N, c);
      pack_dy(ap, dout, g, ch);
      if (cl && in_place) pixel_offsets(pix_off.data(), slice_sz, g, ch);
      int64_t idx = 0;
      for (int64_t mb = 0; mb < n_mb; ++mb) {
        const int64_t p0 = mb * p_per_mb, p1 = std::min(n_p, p0 + p_per_mb);
        int64_t slice_cg = -1;  // channel group currently in S
        for (int64_t j = 0; j < n_j; ++j) {
          if (idx + (p1 - p0) <= t0 || idx >= t1) {  // none of these tiles
            idx += p1 - p0;
            continue;
          }
          const int64_t j0 = j * kNr, nr = std::min(kNr, g.K - j0);
          if (cl) {  // j = cg KH KW + kk
            const int64_t cg = j / kk_n, kk = j % kk_n;
            if (cg != slice_cg) build_slice(S, slice_sz, inp, g, ch, cg, pos.data()), slice_cg = cg;
            if (in_place) tap[0] = S + ((kk / KW) * g.Wp + kk % KW) * kNr, tap[1] = tap[0] + 8;
            else build_panel_cl(panel, S, slice_sz, g, ch, kk / KW, kk % KW);
          } else {
            build_panel_t(panel, inp, g, masks.data(), masks.data() + kk_n * G8, shift.data(), ch, j0);
          }
          for (int64_t p = p0; p < p1; ++p, ++idx) {
            if (idx < t0 || idx >= t1) continue;
            float* dw = dw_base + p * kMr * g.K + j0;
            const int64_t mr = std::min(kMr, OC - p * kMr);
            if (cl && in_place)
              micro_kernel_6x16_offsets(ch.kc, ap + p * ch.kc * kMr, tap, pix_off.data(), dw, g.K, mr, nr, first);
            else micro_kernel_6x16(ch.kc, ap + p * ch.kc * kMr, panel, dw, g.K, mr, nr, first);
          }
        }
      }
    };
    if (groups == 1) {
      const int64_t nt = omp_get_num_threads(), t0 = n_tiles * t / nt, t1 = n_tiles * (t + 1) / nt;
      for (int64_t c = 0; c < plan.n_chunks && t1 > t0; ++c) run_chunk(c, t0, t1, dwp, cl && c == 0);
    } else {
#pragma omp for schedule(static)
      for (int64_t gi = 0; gi < groups; ++gi) {
        const int64_t c0 = plan.n_chunks * gi / groups, c1 = plan.n_chunks * (gi + 1) / groups;
        for (int64_t c = c0; c < c1; ++c) run_chunk(c, 0, n_tiles, dwp + gi * dw_sz, c == c0);
      }
    }
  }
  if (cl) {  // dweight[o, c, kk] += sum over groups, in order, of dwp[group][o, c / 16, kk, c % 16]
#pragma omp parallel for schedule(static) if (parallel && dw_sz > 65536)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t cg = 0; cg < C / kNr; ++cg)
        for (int64_t kk = 0; kk < kk_n; ++kk)
          for (int64_t cc = 0; cc < kNr; ++cc) {
            const int64_t i = o * g.K + (cg * kk_n + kk) * kNr + cc;
            float sum = dwp[i];
            for (int64_t gi = 1; gi < groups; ++gi) sum += dwp[gi * dw_sz + i];
            dweight[(o * C + cg * kNr + cc) * kk_n + kk] += sum;
          }
  }
  return true;
}

#else

bool conv2d_weight_grad_packed_fits(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t) {
  return false;
}

bool conv2d_weight_grad_packed(float*, const float*, const float*, int64_t, int64_t, int64_t, int64_t, int64_t,
                               int64_t, int64_t, int64_t, int64_t) {
  return false;
}

#endif

}  // namespace dl::cpu
