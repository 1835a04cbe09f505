// conv2d_im2col.cpp - see conv2d_im2col.h.
#include "kernels/cpu/conv2d_im2col.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_packed.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

struct Conv {
  int64_t N, C, H, W, OC, KH, KW, s, pad, OH, OW, K, P;
  bool pointwise() const { return KH == 1 && KW == 1 && s == 1 && pad == 0; }
};

Conv make_conv(const ConvShape& x) {
  Conv d{x.N, x.C, x.H, x.W, x.OC, x.KH, x.KW, x.stride, x.pad, x.OH(), x.OW(), 0, 0};
  d.K = d.C * d.KH * d.KW;
  d.P = d.OH * d.OW;
  return d;
}

// ---- block plan ----------------------------------------------------------------------------------
// Enough columns per GEMM to keep OpenBLAS efficient (a 4x4 image alone gives only 16), while the
// cols buffer of one block stays under kMaxColsFloats (16 MB). At least two blocks whenever N >= 2
// so both cores have work; sizes are then balanced (e.g. 64 images -> 2 x 32, not 56 + 8).
constexpr int64_t kTargetCols = 1024;
constexpr int64_t kMaxColsFloats = int64_t{4} << 20;
constexpr int64_t kMinBlocks = 2;

struct Plan {
  int64_t nb, n_blocks;
};

Plan plan_blocks(const Conv& d) {
  int64_t nb = std::max<int64_t>(1, (kTargetCols + d.P - 1) / d.P);
  nb = std::min(nb, std::max<int64_t>(1, kMaxColsFloats / std::max<int64_t>(1, d.K * d.P)));
  nb = std::min(nb, d.N);
  int64_t n_blocks = (d.N + nb - 1) / nb;
  n_blocks = std::max(n_blocks, std::min(d.N, kMinBlocks));
  nb = (d.N + n_blocks - 1) / n_blocks;
  return {nb, (d.N + nb - 1) / nb};
}

// ---- im2col / col2im -------------------------------------------------------------------------------
// Output columns ow whose input column iw = ow s - pad + kw lies inside [0, W): [lo, hi).
inline void valid_range(const Conv& d, int64_t kw, int64_t& lo, int64_t& hi) {
  const int64_t a = d.pad - kw;  // ow s >= a
  lo = a <= 0 ? 0 : (a + d.s - 1) / d.s;
  const int64_t b = d.W - 1 + d.pad - kw;  // ow s <= b
  hi = b < 0 ? 0 : std::min(d.OW, b / d.s + 1);
  lo = std::min(lo, d.OW);
  hi = std::max(hi, lo);
}

// One row (c, kh, kw) of one image when stride = 1 and OW = W (a 'same' convolution, e.g. 3x3
// pad 1): then dst[q] = plane[q + (kh - pad) W + (kw - pad)] for every output pixel q = oh OW + ow
// whose source is inside the image, so the valid rows [oh0, oh1) are ONE contiguous copy; the
// pixels of the copy that wrapped around a row edge (ow < lo or ow >= hi, at most pad per side)
// and the rows outside the image are zeroed afterwards. The copy covers exactly the in-plane
// sources [oh0 OW + lo, (oh1 - 1) OW + hi), so it never reads outside the plane.
inline void im2col_same_row(float* dst, const float* plane, const Conv& d, int64_t kh, int64_t kw, int64_t lo,
                            int64_t hi) {
  const int64_t oh0 = std::clamp<int64_t>(d.pad - kh, 0, d.OH);
  const int64_t oh1 = std::clamp<int64_t>(d.H + d.pad - kh, oh0, d.OH);
  for (int64_t q = 0; q < oh0 * d.OW; ++q) dst[q] = 0.0f;
  if (oh1 > oh0 && hi > lo) {
    const int64_t shift = (kh - d.pad) * d.W + (kw - d.pad);
    const int64_t q0 = oh0 * d.OW + lo, q1 = (oh1 - 1) * d.OW + hi;
    const float* src = plane + shift;
    for (int64_t q = q0; q < q1; ++q) dst[q] = src[q];
    for (int64_t oh = oh0; oh < oh1; ++oh) {
      for (int64_t ow = 0; ow < lo; ++ow) dst[oh * d.OW + ow] = 0.0f;
      for (int64_t ow = hi; ow < d.OW; ++ow) dst[oh * d.OW + ow] = 0.0f;
    }
  } else {
    for (int64_t q = oh0 * d.OW; q < oh1 * d.OW; ++q) dst[q] = 0.0f;
  }
  for (int64_t q = oh1 * d.OW; q < d.P; ++q) dst[q] = 0.0f;
}

// cols (K, nb P) from images [n0, n0 + nb). Rows are independent: parallel over rows (this loop
// runs single-threaded when called inside the per-block parallel region).
void im2col(float* cols, const float* inp, const Conv& d, int64_t n0, int64_t nb) {
  const int64_t ld = nb * d.P;
#pragma omp parallel for schedule(static) if (d.K * ld > 65536)
  for (int64_t row = 0; row < d.K; ++row) {
    const int64_t c = row / (d.KH * d.KW), kh = (row / d.KW) % d.KH, kw = row % d.KW;
    int64_t lo, hi;
    valid_range(d, kw, lo, hi);
    if (d.s == 1 && d.OW == d.W) {  // 'same' stride-1 conv: see im2col_same_row
      for (int64_t i = 0; i < nb; ++i)
        im2col_same_row(cols + row * ld + i * d.P, inp + ((n0 + i) * d.C + c) * d.H * d.W, d, kh, kw, lo, hi);
      continue;
    }
    for (int64_t i = 0; i < nb; ++i) {
      const float* plane = inp + ((n0 + i) * d.C + c) * d.H * d.W;
      float* dst = cols + row * ld + i * d.P;
      for (int64_t oh = 0; oh < d.OH; ++oh, dst += d.OW) {
        const int64_t ih = oh * d.s - d.pad + kh;
        if (ih < 0 || ih >= d.H) {
          for (int64_t ow = 0; ow < d.OW; ++ow) dst[ow] = 0.0f;
          continue;
        }
        const float* src = plane + ih * d.W - d.pad + kw;  // src[ow s] = inp[.., ih, ow s - pad + kw]
        // Plain loops, not memcpy/fill: rows are short (4-32 floats), and library calls per row
        // cost more than the copy (im2col was ~40 % of a conv's time with memcpy).
        for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = 0.0f;
        if (d.s == 1)
          for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow];
        else
          for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * d.s];
        for (int64_t ow = hi; ow < d.OW; ++ow) dst[ow] = 0.0f;
      }
    }
  }
}

// dinp[n0 .. n0 + nb) = col2im(dcols): every column entry is added to the input pixel it was read
// from. Parallel over channels c: the rows of one channel are the only writers of its planes, and
// each pixel sums its contributions in the fixed (kh, kw) order.
void col2im(float* dinp, const float* dcols, const Conv& d, int64_t n0, int64_t nb) {
  const int64_t ld = nb * d.P;
#pragma omp parallel for schedule(static) if (d.K * ld > 65536)
  for (int64_t c = 0; c < d.C; ++c) {
    for (int64_t i = 0; i < nb; ++i) std::fill_n(dinp + ((n0 + i) * d.C + c) * d.H * d.W, d.H * d.W, 0.0f);
    for (int64_t kh = 0; kh < d.KH; ++kh)
      for (int64_t kw = 0; kw < d.KW; ++kw) {
        const int64_t row = (c * d.KH + kh) * d.KW + kw;
        int64_t lo, hi;
        valid_range(d, kw, lo, hi);
        for (int64_t i = 0; i < nb; ++i) {
          float* plane = dinp + ((n0 + i) * d.C + c) * d.H * d.W;
          const float* src = dcols + row * ld + i * d.P;
          for (int64_t oh = 0; oh < d.OH; ++oh, src += d.OW) {
            const int64_t ih = oh * d.s - d.pad + kh;
            if (ih < 0 || ih >= d.H) continue;
            float* dst = plane + ih * d.W - d.pad + kw;
            for (int64_t ow = lo; ow < hi; ++ow) dst[ow * d.s] += src[ow];
          }
        }
      }
  }
}

// NCHW (images n0 .. n0 + nb, OC planes of P) <-> block matrix (OC, nb P).
void gather_block(float* blk, const float* nchw, const Conv& d, int64_t n0, int64_t nb) {
  for (int64_t o = 0; o < d.OC; ++o)
    for (int64_t i = 0; i < nb; ++i)
      std::memcpy(blk + o * nb * d.P + i * d.P, nchw + ((n0 + i) * d.OC + o) * d.P, d.P * sizeof(float));
}

void scatter_block(float* nchw, const float* blk, const float* bias, const Conv& d, int64_t n0, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i)
    for (int64_t o = 0; o < d.OC; ++o) {
      float* dst = nchw + ((n0 + i) * d.OC + o) * d.P;
      const float* src = blk + o * nb * d.P + i * d.P;
      const float b = bias ? bias[o] : 0.0f;
      for (int64_t p = 0; p < d.P; ++p) dst[p] = src[p] + b;
    }
}

// dY of images [n0, n0 + nb) as a block matrix (OC, nb P): the NCHW planes themselves when a
// block is one image, else gathered into `scratch`.
const float* block_dy(float* scratch, const float* dout, const Conv& d, const Plan& plan, int64_t n0, int64_t nb) {
  if (plan.nb == 1) return dout + n0 * d.OC * d.P;
  gather_block(scratch, dout, d, n0, nb);
  return scratch;
}

// Below ~2 MFLOP a parallel region costs more than it saves (and on a loaded machine a region
// waits for a descheduled thread). Depends on the shapes only, so results do not change.
inline bool worth_threads(const Conv& d) { return 2 * d.N * d.OC * d.P * d.K > (int64_t{2} << 20); }

// dweight partial sums: at most 8 groups, and at most ~32 MB of partials (G - 1 of (OC, K)).
constexpr int64_t kMaxGroups = 8;
constexpr int64_t kMaxPartialFloats = int64_t{8} << 20;

// Runs body(block, thread) for every block, in parallel over blocks; the GEMMs inside run
// single-threaded. (Measured against sequential blocks with 2-thread OpenBLAS GEMMs: 2.8x faster
// at 32x32, 1.6x at 16x16, equal at 4x4; docs/notes/measurement_log.md.)
// Every GEMM of this file runs single-threaded, also outside the parallel regions: OpenBLAS's
// 2-thread sgemm does not return the same bits as its 1-thread sgemm (seen at (8 x 72)(72 x 768)),
// so a multithreaded GEMM would make results depend on the thread count. The OpenMP build of
// OpenBLAS takes its thread count from omp_get_max_threads() at each call.
struct SingleThreadedBlas {
  int saved = omp_get_max_threads();
  SingleThreadedBlas() { omp_set_num_threads(1); }
  ~SingleThreadedBlas() { omp_set_num_threads(saved); }
};

template <typename Body>
void for_each_block(const Conv& d, int64_t n_blocks, Body body) {
  if (n_blocks > 1 && worth_threads(d)) {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < n_blocks; ++b) body(b, omp_get_thread_num());
    return;
  }
  SingleThreadedBlas serial;
  for (int64_t b = 0; b < n_blocks; ++b) body(b, 0);
}

}  // namespace

void conv2d_forward_im2col(float* out, const float* inp, const float* weight, const float* bias, const ConvShape& s,
                           bool packed) {
  const Conv d = make_conv(s);
  const int64_t N = d.N, C = d.C, OC = d.OC;
  if (N == 0 || d.P == 0) return;
  const Plan plan = plan_blocks(d);
  const int64_t threads = omp_get_max_threads();
  // Per thread: cols (K, nb P) and, when nb > 1, the GEMM result (OC, nb P) before the scatter.
  const bool direct_cols = plan.nb == 1 && d.pointwise();
  const int64_t cols_sz = direct_cols ? 0 : d.K * plan.nb * d.P;
  const int64_t y_sz = plan.nb == 1 ? 0 : d.OC * plan.nb * d.P;
  const int64_t per_thread = cols_sz + y_sz;
  // Our packed-A GEMM (kernels/cpu/gemm_packed.h): the weights are packed once here for all
  // blocks, and cols is read in place.
  const int64_t ap_sz = packed ? packed_a_floats(OC, d.K) : 0;
  Tensor ws = Tensor::empty({std::max<int64_t>(1, threads * per_thread + ap_sz)});
  float* wsp = ws.data();
  float* ap = wsp + threads * per_thread;
  if (packed) pack_a(ap, weight, OC, d.K, d.K);
  auto product = [&](int64_t ncols, const float* b, float* c) {  // c (OC, ncols) = W (OC, K) b (K, ncols)
    if (packed) gemm_packed_a(OC, ncols, d.K, ap, b, ncols, c, ncols);
    else gemm(false, false, OC, ncols, d.K, 1.0f, weight, b, 0.0f, c);
  };
  for_each_block(d, plan.n_blocks, [&](int64_t b, int t) {
    const int64_t n0 = b * plan.nb, nb = std::min(plan.nb, N - n0);
    float* cols = wsp + t * per_thread;
    float* y = cols + cols_sz;
    const float* src = cols;
    if (direct_cols) src = inp + n0 * C * d.P;
    else im2col(cols, inp, d, n0, nb);
    if (plan.nb == 1) {  // the image's output planes are the GEMM result
      float* o = out + n0 * OC * d.P;
      product(d.P, src, o);
      if (bias)
        for (int64_t oc = 0; oc < OC; ++oc)
          for (int64_t p = 0; p < d.P; ++p) o[oc * d.P + p] += bias[oc];
    } else {
      product(nb * d.P, src, y);
      scatter_block(out, y, bias, d, n0, nb);
    }
  });
}

void conv2d_input_grad_col2im(float* dinp, const float* dout, const float* weight, const ConvShape& s) {
  const Conv d = make_conv(s);
  if (d.N == 0 || d.P == 0) return;
  const Plan plan = plan_blocks(d);
  const bool direct_cols = plan.nb == 1 && d.pointwise();
  const int64_t cols_sz = direct_cols ? 0 : d.K * plan.nb * d.P;  // dcols
  const int64_t dy_sz = plan.nb == 1 ? 0 : d.OC * plan.nb * d.P;
  const int64_t per_thread = cols_sz + dy_sz;
  Tensor ws = Tensor::empty({std::max<int64_t>(1, omp_get_max_threads() * per_thread)});
  float* wsp = ws.data();
  for_each_block(d, plan.n_blocks, [&](int64_t b, int t) {
    const int64_t n0 = b * plan.nb, nb = std::min(plan.nb, d.N - n0);
    float* dcols = wsp + t * per_thread;
    const float* dy = block_dy(dcols + cols_sz, dout, d, plan, n0, nb);
    if (direct_cols) {
      gemm(true, false, d.K, d.P, d.OC, 1.0f, weight, dy, 0.0f, dinp + n0 * d.C * d.P);  // (C,OC)(OC,P)
      return;
    }
    gemm(true, false, d.K, nb * d.P, d.OC, 1.0f, weight, dy, 0.0f, dcols);  // (K,OC)(OC,nbP)
    col2im(dinp, dcols, d, n0, nb);
  });
}

void conv2d_weight_grad_im2col(float* dweight, const float* dout, const float* inp, const ConvShape& s) {
  const Conv d = make_conv(s);
  if (d.N == 0 || d.P == 0) return;
  const Plan plan = plan_blocks(d);
  // dweight is a sum over blocks. Blocks are dealt round-robin to G groups (G fixed by the shapes);
  // group 0 accumulates straight into dweight, group g > 0 into its own partial (OC, K), and the
  // partials are added in group order at the end: the same sums whatever the thread count.
  const int64_t wsz = d.OC * d.K;
  const int64_t G = std::min({plan.n_blocks, kMaxGroups, std::max<int64_t>(2, kMaxPartialFloats / wsz)});
  const bool direct_cols = plan.nb == 1 && d.pointwise();
  const int64_t cols_sz = direct_cols ? 0 : d.K * plan.nb * d.P;
  const int64_t dy_sz = plan.nb == 1 ? 0 : d.OC * plan.nb * d.P;
  const int64_t per_thread = cols_sz + dy_sz;
  Tensor ws = Tensor::empty({std::max<int64_t>(1, omp_get_max_threads() * per_thread + (G - 1) * wsz)});
  float* wsp = ws.data();
  float* partials = wsp + omp_get_max_threads() * per_thread;  // (G - 1, OC, K)
  auto run_block = [&](int64_t b, int t, float* dw, bool first) {
    const int64_t n0 = b * plan.nb, nb = std::min(plan.nb, d.N - n0);
    float* cols = wsp + t * per_thread;
    const float* dy = block_dy(cols + cols_sz, dout, d, plan, n0, nb);
    const float* x = direct_cols ? inp + n0 * d.C * d.P : cols;
    if (!direct_cols) im2col(cols, inp, d, n0, nb);
    gemm(false, true, d.OC, d.K, nb * d.P, 1.0f, dy, x, first ? 0.0f : 1.0f, dw);  // (OC,nbP)(nbP,K)
  };
  if (G == 1) {
    for_each_block(d, plan.n_blocks, [&](int64_t b, int t) { run_block(b, t, dweight, false); });
    return;
  }
  auto run_group = [&](int64_t g, int t) {
    for (int64_t b = g; b < plan.n_blocks; b += G)
      run_block(b, t, g == 0 ? dweight : partials + (g - 1) * wsz, g > 0 && b == g);
  };
  if (worth_threads(d)) {
#pragma omp parallel for schedule(static)
    for (int64_t g = 0; g < G; ++g) run_group(g, omp_get_thread_num());
  } else {
    SingleThreadedBlas serial;
    for (int64_t g = 0; g < G; ++g) run_group(g, 0);
  }
#pragma omp parallel for schedule(static) if (wsz > 65536)
  for (int64_t i = 0; i < wsz; ++i) {
    float acc = dweight[i];
    for (int64_t g = 1; g < G; ++g) acc += partials[(g - 1) * wsz + i];
    dweight[i] = acc;
  }
}

}  // namespace dl::cpu
