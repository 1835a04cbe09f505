// conv2d_wgrad_panels.h - the panel builders of the packed weight gradient
// (kernels/cpu/conv2d_wgrad_packed.h explains the scheme): A panels from dY, B panels from the
// input by 8x8 transposes ('same' stride-1 shapes) or from a channels-last slice S (C a multiple
// of 16). Internal to conv2d_wgrad_packed.cpp; x86 with AVX2 only.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/cpu/gemm_packed.h"

namespace dl::cpu::wgrad {

constexpr int64_t kNr = kPackNr, kMr = kPackMr, kKc = kPackKc;

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

// Ap (panels of 6 rows of dY, kc pixels each): Ap[(p kc + k) 6 + r] = dY[6p + r, pixel k], zero for
// rows past OC and for the padding pixels q >= P. Needs 8 floats of slack past the last panel.
void pack_dy(float* ap, const float* dout, const Geometry& g, const Chunk& ch);

// The transposing builder: panel (kc x 16), panel[k 16 + t] = cols[j0 + t, chunk pixel k] (zero for
// j0 + t >= K), from the lane masks and shifts of lane_masks.
void build_panel_t(float* panel, const float* inp, const Geometry& g, const LaneMask8* masks, const LaneMask8* zmask,
                   const int64_t* shift, const Chunk& ch, int64_t j0);
void lane_masks(std::vector<LaneMask8>& masks, std::vector<int64_t>& shift, const Geometry& g);

// Channels-last: the slice S of channel group cg for a chunk (pos[x] = (x / W) Wp + x % W), the
// panel of kernel offset (kh, kw) copied from S (strided), or the pixel offsets with which the
// micro-kernel reads it in place (stride 1).
void build_slice(float* S, int64_t slice_sz, const float* inp, const Geometry& g, const Chunk& ch, int64_t cg,
                 const int32_t* pos);
void build_panel_cl(float* panel, const float* S, int64_t slice_sz, const Geometry& g, const Chunk& ch, int64_t kh,
                    int64_t kw);
void pixel_offsets(int64_t* off, int64_t slice_sz, const Geometry& g, const Chunk& ch);

// Chunks of at most kKc pixels: pieces of one image when its (padded) plane is larger, else whole images.
ChunkPlan plan_chunks(const Geometry& g, int64_t N);

}  // namespace dl::cpu::wgrad
