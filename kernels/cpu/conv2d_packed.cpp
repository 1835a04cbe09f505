// conv2d_packed.cpp - see conv2d_packed.h.
#include "kernels/cpu/conv2d_packed.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/row_moves.h"
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
  int64_t C, H, W, OC, KH, KW, s, ph, pw;  // ph, pw: top and left padding
  int64_t OH, OW, P;  // output plane, P = OH OW
  int64_t taps, K;    // KH KW, C KH KW
  int64_t pa, pb;     // phases kept per axis: min(s, KH), min(s, KW) (the others are never read)
  int64_t Hs, Ws;     // one phase plane
  int64_t plane;      // Hs Ws
  int64_t chan;       // floats per channel in the copy: pa pb plane, nudged off multiples of 1 KB
  int64_t cpc;        // channels per K chunk: whole channels, about kKc rows
};

Geometry make_geometry(int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t s, int64_t ph,
                       int64_t pw, int64_t OH, int64_t OW) {
  Geometry g{};
  g.C = C, g.H = H, g.W = W, g.OC = OC, g.KH = KH, g.KW = KW, g.s = s, g.ph = ph, g.pw = pw;
  g.OH = OH, g.OW = OW, g.P = OH * OW;
  g.taps = KH * KW, g.K = C * g.taps;
  g.pa = std::min(s, KH), g.pb = std::min(s, KW);
  // Padded rows actually read: 0 .. (OH - 1) s + KH - 1; phase row i holds padded row s i + a.
  g.Hs = ((g.OH - 1) * s + KH + s - 1) / s, g.Ws = ((g.OW - 1) * s + KW + s - 1) / s;
  g.plane = g.Hs * g.Ws;
  g.chan = g.pa * g.pb * g.plane;
  if (g.chan % 256 == 0) g.chan += 16;
  g.cpc = std::clamp<int64_t>(kKc / g.taps, 1, C);
  return g;
}

// ceil(x / s) for s > 0, and 0 for x <= 0.
int64_t ceil_div_nonneg(int64_t x, int64_t s) { return x <= 0 ? 0 : (x + s - 1) / s; }

// The part of phase plane (a, b) whose source lies inside the image: rows [i0, i1), columns
// [j0, j1), i.e. 0 <= s i + a - ph < H and 0 <= s j + b - pw < W. The same for every channel.
struct Interior {
  int64_t i0, i1, j0, j1;
};
std::vector<Interior> interiors(const Geometry& g) {
  std::vector<Interior> v;
  for (int64_t a = 0; a < g.pa; ++a)
    for (int64_t b = 0; b < g.pb; ++b)
      v.push_back({std::min(g.Hs, ceil_div_nonneg(g.ph - a, g.s)), std::min(g.Hs, ceil_div_nonneg(g.H + g.ph - a, g.s)),
                   std::min(g.Ws, ceil_div_nonneg(g.pw - b, g.s)), std::min(g.Ws, ceil_div_nonneg(g.W + g.pw - b, g.s))});
  return v;
}

// dst (c1 - c0 channels, each pa pb phase planes of Hs x Ws) <- channels [c0, c1) of one image
// (C, H, W), phase-split. Only the interiors are written: the padding positions are the same for
// every image and channel, so the caller zeroes the whole buffer once.
__attribute__((target("avx2"))) void copy_interior(float* dst, const float* img, const Geometry& g,
                                                   const std::vector<Interior>& in, int64_t c0, int64_t c1) {
  const int64_t s = g.s;
  for (int64_t c = c0; c < c1; ++c) {
    const float* src = img + c * g.H * g.W;
    for (int64_t a = 0; a < g.pa; ++a)
      for (int64_t b = 0; b < g.pb; ++b) {
        const Interior& r = in[a * g.pb + b];
        if (r.j1 <= r.j0) continue;
        if (r.i1 <= r.i0) continue;
        const float* srow = src + (s * r.i0 + a - g.ph) * g.W + (s * r.j0 + b - g.pw);
        float* row = dst + (c - c0) * g.chan + (a * g.pb + b) * g.plane + r.i0 * g.Ws + r.j0;
        for (int64_t i = r.i0; i < r.i1; ++i, srow += s * g.W, row += g.Ws) {
          if (s == 1) copy_short(row, srow, r.j1 - r.j0);
          else if (s == 2) take_even(row, srow, r.j1 - r.j0);
          else
            for (int64_t j = 0; j < r.j1 - r.j0; ++j) row[j] = srow[j * s];
        }
      }
  }
}

// Where the 16 pixels q0 .. q0 + 15 of a panel sit in a phase plane: runs of consecutive pixels
// of one output row, each starting at lane `lane` with `len` pixels at plane offset `off`.
struct Run {
  int32_t lane, len;
  int64_t off;
};
enum class PanelKind { one16, two8, four4, general };
struct PanelRuns {  // at most one run per lane: a fixed array, no allocation per panel
  PanelKind kind;
  int32_t n;
  Run runs[kNr];
};

PanelRuns panel_runs(const Geometry& g, int64_t q0) {
  PanelRuns pr{};
  for (int64_t j = 0; j < kNr && q0 + j < g.P; ++j) {
    const int64_t q = q0 + j, oh = q / g.OW, ow = q % g.OW;
    if (ow == 0 || j == 0) pr.runs[pr.n++] = Run{static_cast<int32_t>(j), 0, oh * g.Ws + ow};
    ++pr.runs[pr.n - 1].len;
  }
  auto all_len = [&](int32_t n, int32_t len) {
    if (pr.n != n) return false;
    for (int32_t i = 0; i < n; ++i)
      if (pr.runs[i].len != len) return false;
    return true;
  };
  pr.kind = all_len(1, 16) ? PanelKind::one16
          : all_len(2, 8)  ? PanelKind::two8
          : all_len(4, 4)  ? PanelKind::four4
                           : PanelKind::general;
  return pr;
}

// panel (rows x 16) = the im2col rows of the panel's pixels, read from the copy `cp` at the
// row offsets `row_off`. (Panels of one 16-pixel run are read in place by the micro-kernel.)
__attribute__((target("avx2"))) void build_panel(float* panel, const float* cp, const int64_t* row_off,
                                                 const PanelRuns& pr, int64_t rows) {
  const Run* r = pr.runs;
  for (int64_t k = 0; k < rows; ++k, panel += kNr) {
    const float* src = cp + row_off[k];
    switch (pr.kind) {
      case PanelKind::two8:
        _mm256_store_ps(panel, _mm256_loadu_ps(src + r[0].off));
        _mm256_store_ps(panel + 8, _mm256_loadu_ps(src + r[1].off));
        break;
      case PanelKind::four4:
        _mm256_store_ps(panel, _mm256_loadu2_m128(src + r[1].off, src + r[0].off));
        _mm256_store_ps(panel + 8, _mm256_loadu2_m128(src + r[3].off, src + r[2].off));
        break;
      default:
        std::fill_n(panel, kNr, 0.0f);  // lanes past the plane's last pixel stay zero
        for (int32_t i = 0; i < pr.n; ++i) std::copy_n(src + r[i].off, r[i].len, panel + r[i].lane);
    }
  }
}

// What the products of one K chunk of one unit of images read and where they write.
struct ChunkJob {
  const Geometry& g;
  const std::vector<PanelRuns>& runs;  // per panel of an image
  const int64_t* row_off;              // row k of the chunk: its offset in an image's copy
  const float* ap;                     // the packed weights at the chunk's first k
  int64_t OC, kc;
  bool first;                          // the chunk starts the sums (channel 0)
  bool pairs;                          // two panels per micro-kernel call (gemm_packed.h)
  float *panel, *panel2;               // this thread's gathered panels
};

// One panel: output pixels q0 .. q0 + 15 of the image whose copy is cp, into o (= its output at q0).
void panel_products(const ChunkJob& j, const float* cp, const PanelRuns& pr, int64_t nr, float* o) {
  // One 16-pixel run: the micro-kernel reads it in place (two 8-float halves per row); otherwise
  // it is gathered into a panel first (measured faster at 8x8 and 4x4 planes).
  const bool in_place = pr.kind == PanelKind::one16;
  const float* halves[2] = {cp + pr.runs[0].off, cp + pr.runs[0].off + 8};
  if (!in_place) build_panel(j.panel, cp, j.row_off, pr, j.kc);
  for (int64_t m0 = 0, mr; m0 < j.OC; m0 += mr) {
    mr = micro_kernel_rows(j.OC, m0);
    const PackedRows a = packed_rows(j.ap, j.g.K * kMr, m0);
    float* c = o + m0 * j.g.P;
    if (in_place) micro_kernel_offsets(j.kc, a, halves, j.row_off, c, j.g.P, mr, nr, j.first);
    else micro_kernel(j.kc, a, j.panel, c, j.g.P, mr, nr, j.first);
  }
}

// Two full panels in one 12 x 32 tile per call: panel pr of the copy cp0 and panel pr1 of cp1 (the
// same image's next panel, c_next = 16, or the next image's same panel, c_next = OC P), both read
// in place (one16 runs, same image) or both gathered.
void panel_pair_products(const ChunkJob& j, const float* cp0, const PanelRuns& pr0, const float* cp1,
                         const PanelRuns& pr1, int64_t c_next, float* o) {
  const bool in_place = pr0.kind == PanelKind::one16;
  if (!in_place) build_panel(j.panel, cp0, j.row_off, pr0, j.kc), build_panel(j.panel2, cp1, j.row_off, pr1, j.kc);
  for (int64_t m0 = 0, mr; m0 < j.OC; m0 += mr) {
    mr = micro_kernel_pair_rows(j.OC, m0);
    const PackedRows a = packed_rows(j.ap, j.g.K * kMr, m0);
    float* c = o + m0 * j.g.P;
    if (in_place) {
      const float *b0 = cp0 + pr0.runs[0].off, *b1 = cp1 + pr1.runs[0].off;
      micro_kernel_pair_offsets(j.kc, a, b0, b1, j.row_off, c, j.g.P, mr, j.first);
    } else {
      micro_kernel_pair(j.kc, a, j.panel, j.panel2, c, c_next, j.g.P, mr, j.first);
    }
  }
}

// All output panels of images n0 .. n1 - 1 (their copies in `copy`) for one K chunk.
void chunk_products(const ChunkJob& j, const float* copy, int64_t n0, int64_t n1, float* out) {
  const Geometry& g = j.g;
  const int64_t panels = static_cast<int64_t>(j.runs.size()), copy_floats = g.cpc * g.chan;
  for (int64_t pi = 0, np; pi < panels; pi += np) {
    const int64_t q0 = pi * kNr, nr = std::min(kNr, g.P - q0);
    const PanelRuns& pr = j.runs[pi];
    // Two full panels of one image side by side, both read in place or both gathered.
    const bool both_full = pi + 1 < panels && g.P - q0 >= 2 * kNr;
    const bool same_kind = both_full && (pr.kind == PanelKind::one16) == (j.runs[pi + 1].kind == PanelKind::one16);
    np = j.pairs && same_kind ? 2 : 1;
    // One full gathered panel per image (4x4 planes): two images' panels per call instead.
    const bool image_pairs = j.pairs && panels == 1 && pr.kind != PanelKind::one16 && nr == kNr;
    for (int64_t n = n0; n < n1; ++n) {
      const float* cp = copy + (n - n0) * copy_floats;
      float* o = out + n * j.OC * g.P + q0;
      if (np == 2) panel_pair_products(j, cp, pr, cp, j.runs[pi + 1], kNr, o);
      else if (image_pairs && n + 1 < n1) panel_pair_products(j, cp, pr, cp + copy_floats, pr, j.OC * g.P, o), ++n;
      else panel_products(j, cp, pr, nr, o);
    }
  }
}

}  // namespace

bool conv2d_forward_packed_explicit(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                                    int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride,
                                    int64_t pad_h, int64_t pad_w, int64_t OH, int64_t OW) {
  if (!conv2d_forward_packed_fits(N, OH, OW)) return false;
  const Geometry g = make_geometry(C, H, W, OC, KH, KW, stride, pad_h, pad_w, OH, OW);
  // Pack the weights once; shared read-only by all threads.
  Tensor ap_t = Tensor::empty({std::max<int64_t>(1, packed_a_floats(OC, g.K))});
  float* ap = ap_t.data();
  pack_a(ap, weight, OC, g.K, g.K);
  const int64_t panels_per_image = (g.P + kNr - 1) / kNr;
  std::vector<PanelRuns> runs(panels_per_image);  // the same for every image and channel
  for (int64_t pi = 0; pi < panels_per_image; ++pi) runs[pi] = panel_runs(g, pi * kNr);
  // Row r = (c - c0) KH KW + kh KW + kw of a K chunk starting at channel c0 lies at row_off[r] in the
  // copy of that chunk: channel, phase plane, and the tap's shift inside the phase plane.
  std::vector<int64_t> row_off(g.cpc * g.taps);
  for (int64_t c = 0; c < g.cpc; ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw)
        row_off[(c * KH + kh) * KW + kw] = c * g.chan + ((kh % stride) * g.pb + kw % stride) * g.plane +
                                            (kh / stride) * g.Ws + kw / stride;

  const std::vector<Interior> inner = interiors(g);
  const int64_t imgs_per_unit = std::clamp<int64_t>(kUnitCols / g.P, 1, N);
  const int64_t n_units = (N + imgs_per_unit - 1) / imgs_per_unit;
  // Per thread: the copy, then the panel (build_panel's aligned stores: both start 64-byte aligned).
  const int64_t copy_sz = (imgs_per_unit * g.cpc * g.chan + 15) / 16 * 16, panel_sz = g.cpc * g.taps * kNr;
  // Below ~2 MFLOP a parallel region costs more than it saves (docs/conv2d.md).
  const bool parallel = n_units > 1 && 2 * N * OC * g.P * g.K > (int64_t{2} << 20);
  const int64_t threads = parallel ? omp_get_max_threads() : 1;
  const bool pairs = micro_kernel_pairs();
  Tensor ws = Tensor::empty({threads * (copy_sz + 2 * panel_sz)});
  float* wsp = ws.data();

#pragma omp parallel num_threads(threads) if (parallel)
  {
    float* copy = wsp + omp_get_thread_num() * (copy_sz + 2 * panel_sz);
    float* panel = copy + copy_sz;
    float* panel2 = panel + panel_sz;  // the second gathered panel of a pair
    std::fill_n(copy, copy_sz, 0.0f);
#pragma omp for schedule(static)
    for (int64_t u = 0; u < n_units; ++u) {
      const int64_t n0 = u * imgs_per_unit, n1 = std::min(N, n0 + imgs_per_unit);
      for (int64_t c0 = 0; c0 < C; c0 += g.cpc) {
        const int64_t c1 = std::min(C, c0 + g.cpc), kc = (c1 - c0) * g.taps, k0 = c0 * g.taps;
        for (int64_t n = n0; n < n1; ++n)
          copy_interior(copy + (n - n0) * g.cpc * g.chan, inp + n * C * H * W, g, inner, c0, c1);
        const ChunkJob job{g, runs, row_off.data(), ap + k0 * kMr, OC, kc, c0 == 0, pairs, panel, panel2};
        chunk_products(job, copy, n0, n1, out);
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

bool conv2d_forward_packed_explicit(float*, const float*, const float*, const float*, int64_t, int64_t, int64_t,
                                    int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t) {
  return false;
}

#endif

bool conv2d_forward_packed_fits(int64_t N, int64_t OH, int64_t OW) {
  return packed_gemm_available() && N > 0 && OH * OW >= kPackNr;
}

bool conv2d_forward_packed(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                           int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  return conv2d_forward_packed_explicit(out, inp, weight, bias, N, C, H, W, OC, KH, KW, stride, pad, pad, OH, OW);
}

}  // namespace dl::cpu
