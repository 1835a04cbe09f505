// conv2d_wgrad_packed.cpp - see conv2d_wgrad_packed.h.
#include "kernels/cpu/conv2d_wgrad_packed.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "kernels/cpu/gemm_packed.h"
#include "tensor/tensor.h"

#if defined(__x86_64__) || defined(__i386__)
#include "kernels/cpu/conv2d_wgrad_panels.h"
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

using namespace wgrad;  // Geometry, Chunk, ChunkPlan, LaneMask8, kNr/kMr/kKc and the panel builders
// Rows of dW per M block: the packed dY chunk of one block (<= 132 x 256 floats, 132 KB) stays in
// L2 while the B panels of the block pass; larger OC (256, 512) is cut into blocks and the B
// panels are rebuilt per block (their build costs ~5 instructions per 8 x OC FMAs).
constexpr int64_t kMaxBlockRows = 128;
// Chunk groups for a small dW (see the work split in conv2d_weight_grad_packed).
constexpr int64_t kChunkGroups = 4, kGroupMaxFloats = int64_t{1} << 18;

// Tiles of dW (a micro-kernel call's rows x 16 columns), ordered (M block, column panel, row group); each thread
// owns a contiguous range of them and sums every chunk into them in chunk order, so each dW
// element is one fixed sum whatever thread computes it (no partials, no final reduction).
struct Tiles {
  std::vector<int64_t> m0;  // row group p is dW rows [m0[p], m0[p + 1]) (micro_kernel_rows)
  int64_t n_p, n_j, n_mb, p_per_mb;  // row groups, column panels, M blocks, row groups per block
};
Tiles tile_order(const Geometry& g) {
  Tiles t;
  for (int64_t m0 = 0; m0 < g.OC; m0 += micro_kernel_rows(g.OC, m0)) t.m0.push_back(m0);
  t.m0.push_back(g.OC);
  t.n_p = static_cast<int64_t>(t.m0.size()) - 1, t.n_j = (g.K + kNr - 1) / kNr;
  const int64_t n_mb0 = (g.OC + kMaxBlockRows - 1) / kMaxBlockRows;
  t.p_per_mb = (t.n_p + n_mb0 - 1) / n_mb0;
  t.n_mb = (t.n_p + t.p_per_mb - 1) / t.p_per_mb;  // no empty last block, whatever OC
  return t;
}

// What every thread of one weight gradient reads (shapes, inputs, tables) and what each owns.
struct Job {
  const Geometry& g;
  int64_t N;
  const float *dout, *inp;
  ChunkPlan plan;
  Tiles tiles;
  const LaneMask8* masks;  // transposing builder only
  const int64_t* shift;
  const int32_t* pos;      // channels-last only
  int64_t slice_sz;
  bool cl, in_place;       // channels-last; B read in place from S (stride 1)
};
struct Scratch {
  float *ap, *S, *panel;  // packed dY chunk, the slices S, a B panel
  int64_t* pix_off;
};

// Chunk c summed into the dW tiles [t0, t1) of `dw_base` (written when `first`, channels-last only).
void run_chunk_tiles(const Job& job, Scratch& sc, int64_t c, int64_t t0, int64_t t1, float* dw_base, bool first) {
  const Geometry& g = job.g;
  const int64_t kk_n = g.KH * g.KW, G8 = g.P8 / 8;
  const Chunk ch = job.plan.chunk(g, job.N, c);
  pack_dy(sc.ap, job.dout, g, ch);
  if (job.cl && job.in_place) pixel_offsets(sc.pix_off, job.slice_sz, g, ch);
  const float* tap[2] = {};
  int64_t idx = 0;
  const bool all_tiles = t0 == 0 && t1 >= job.tiles.n_p * job.tiles.n_j;
  for (int64_t mb = 0; mb < job.tiles.n_mb; ++mb) {
    const int64_t p0 = mb * job.tiles.p_per_mb, p1 = std::min(job.tiles.n_p, p0 + job.tiles.p_per_mb);
    int64_t slice_cg = -1;  // channel group currently in S
    for (int64_t j = 0; j < job.tiles.n_j; ++j) {
      if (idx + (p1 - p0) <= t0 || idx >= t1) {  // none of these tiles
        idx += p1 - p0;
        continue;
      }
      const int64_t j0 = j * kNr, nr = std::min(kNr, g.K - j0);
      if (job.cl) {  // j = cg KH KW + kk
        const int64_t cg = j / kk_n, kk = j % kk_n;
        if (cg != slice_cg) build_slice(sc.S, job.slice_sz, job.inp, g, ch, cg, job.pos), slice_cg = cg;
        if (job.in_place) tap[0] = sc.S + ((kk / g.KW) * g.Wp + kk % g.KW) * kNr, tap[1] = tap[0] + 8;
        else build_panel_cl(sc.panel, sc.S, job.slice_sz, g, ch, kk / g.KW, kk % g.KW);
        // This thread owns every tile (chunk groups) and offsets kk, kk + 1 share the slice: both
        // panels in one 32-column call per row group (gemm_packed.h), rows grouped for it.
        if (job.in_place && all_tiles && kk + 1 < kk_n && micro_kernel_pairs()) {
          const int64_t kk1 = kk + 1;
          const float* tap1 = sc.S + ((kk1 / g.KW) * g.Wp + kk1 % g.KW) * kNr;
          for (int64_t m0 = job.tiles.m0[p0], m1 = job.tiles.m0[p1], mr; m0 < m1; m0 += mr) {
            mr = std::min(micro_kernel_pair_rows(g.OC, m0), m1 - m0);
            micro_kernel_pair_offsets(ch.kc, packed_rows(sc.ap, ch.kc * kMr, m0), tap[0], tap1, sc.pix_off,
                                      dw_base + m0 * g.K + j0, g.K, mr, first);
          }
          ++j, idx += 2 * (p1 - p0);
          continue;
        }
      } else {
        build_panel_t(sc.panel, job.inp, g, job.masks, job.masks + kk_n * G8, job.shift, ch, j0);
      }
      for (int64_t p = p0; p < p1; ++p, ++idx) {
        if (idx < t0 || idx >= t1) continue;
        const int64_t m0 = job.tiles.m0[p], mr = job.tiles.m0[p + 1] - m0;
        float* dw = dw_base + m0 * g.K + j0;
        const PackedRows a = packed_rows(sc.ap, ch.kc * kMr, m0);  // the packed dY chunk: panels of ch.kc x 6
        if (job.cl && job.in_place) micro_kernel_offsets(ch.kc, a, tap, sc.pix_off, dw, g.K, mr, nr, first);
        else micro_kernel(ch.kc, a, sc.panel, dw, g.K, mr, nr, first);
      }
    }
  }
}

// Channels-last: dweight[o, c, kk] += sum over groups, in order, of dwp[group][o, c / 16, kk, c % 16].
void add_group_sums(float* dweight, const float* dwp, const Geometry& g, int64_t groups, bool parallel) {
  const int64_t kk_n = g.KH * g.KW, dw_sz = g.OC * g.K;
#pragma omp parallel for schedule(static) if (parallel && dw_sz > 65536)
  for (int64_t o = 0; o < g.OC; ++o)
    for (int64_t cg = 0; cg < g.C / kNr; ++cg)
      for (int64_t kk = 0; kk < kk_n; ++kk)
        for (int64_t cc = 0; cc < kNr; ++cc) {
          const int64_t i = o * g.K + (cg * kk_n + kk) * kNr + cc;
          float sum = dwp[i];
          for (int64_t gi = 1; gi < groups; ++gi) sum += dwp[gi * dw_sz + i];
          dweight[(o * g.C + cg * kNr + cc) * kk_n + kk] += sum;
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
  std::vector<LaneMask8> masks;  // the transposing builder's tables (not channels-last)
  std::vector<int64_t> shift(KH * KW);
  if (!cl) lane_masks(masks, shift, g);
  const ChunkPlan plan = plan_chunks(g, N);
  const Tiles tiles = tile_order(g);
  const int64_t n_tiles = tiles.n_p * tiles.n_j;
  const int64_t ap_sz = (OC + kMr - 1) / kMr * kMr * kKc + 8;  // + 8: pack_dy's last store spills 2 floats
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

  const Job job{g, N, dout, inp, plan, tiles, masks.data(), shift.data(), pos.data(), slice_sz, cl, in_place};
#pragma omp parallel if (parallel)
  {
    const int64_t t = omp_get_thread_num();
    alignas(64) float panel[kKc * kNr];  // B panel (when not read in place)
    std::vector<int64_t> pix_off(cl && in_place ? kKc : 0);
    Scratch sc{wsp + t * per_thread, wsp + t * per_thread + ap_sz, panel, pix_off.data()};
    auto run_chunk = [&](int64_t c, int64_t t0, int64_t t1, float* dw_base, bool first) {
      run_chunk_tiles(job, sc, c, t0, t1, dw_base, first);
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
  if (cl) add_group_sums(dweight, dwp, g, groups, parallel);
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
