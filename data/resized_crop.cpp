// resized_crop.cpp - RandomResizedCrop's parameters, bilinear crop-and-resize, horizontal flip.
//
// Bilinear sampling follows ATen's upsample_bilinear2d (CPU) for align_corners=False when the
// output size is given: scale = in / out, src = scale * (dst + 0.5) - 0.5 clamped below at 0,
// i0 = floor(src), i1 = i0 + (i0 < in - 1), l1 = src - i0, l0 = 1 - l1; an axis whose size does
// not change is copied. out = l0y (l0x x[y0,x0] + l1x x[y0,x1]) + l1y (l0x x[y1,x0] + l1x x[y1,x1]).
// No antialiasing (torchvision 0.14's default for tensors). In RandomResizedCrop the crop is
// never larger than the output, so this only ever upsamples, where antialias would change
// nothing anyway.
#include <cmath>
#include <utility>
#include <vector>

#include "data/transforms.h"
#include "tensor/error.h"

namespace dl::data {

CropParams random_resized_crop_params(int H, int W, const AugmentConfig& cfg, Generator& rng) {
  DL_CHECK(H > 0 && W > 0, "random_resized_crop_params: empty image ", H, "x", W);
  DL_CHECK(cfg.crop_scale_min <= cfg.crop_scale_max && cfg.crop_ratio_min <= cfg.crop_ratio_max &&
               cfg.crop_ratio_min > 0,
           "random_resized_crop_params: bad scale (", cfg.crop_scale_min, ", ", cfg.crop_scale_max, ") or ratio (",
           cfg.crop_ratio_min, ", ", cfg.crop_ratio_max, ")");
  const double area = static_cast<double>(H) * W;
  const float log_rmin = std::log(cfg.crop_ratio_min), log_rmax = std::log(cfg.crop_ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(cfg.crop_scale_min, cfg.crop_scale_max);
    const double aspect = std::exp(static_cast<double>(rng.uniform(log_rmin, log_rmax)));
    // Python's round() rounds half to even, as nearbyint does in the default rounding mode.
    const int w = static_cast<int>(std::nearbyint(std::sqrt(target_area * aspect)));
    const int h = static_cast<int>(std::nearbyint(std::sqrt(target_area / aspect)));
    if (0 < w && w <= W && 0 < h && h <= H) {
      const int top = static_cast<int>(rng.randint(0, H - h + 1));
      const int left = static_cast<int>(rng.randint(0, W - w + 1));
      return {top, left, h, w};
    }
  }
  // Fallback: a central crop, as large as possible with its ratio clamped into the range.
  const double in_ratio = static_cast<double>(W) / H;
  int w = W, h = H;
  if (in_ratio < cfg.crop_ratio_min) {
    h = static_cast<int>(std::nearbyint(w / static_cast<double>(cfg.crop_ratio_min)));
  } else if (in_ratio > cfg.crop_ratio_max) {
    w = static_cast<int>(std::nearbyint(h * static_cast<double>(cfg.crop_ratio_max)));
  }
  return {(H - h) / 2, (W - w) / 2, h, w};
}

namespace {

// One axis of the bilinear map: for each output index, two source indices and their weights.
struct Taps {
  int i0, i1;
  float l0, l1;
};

void compute_taps(int in, int out, Taps* taps) {
  if (in == out) {  // ATen copies an axis whose size is unchanged
    for (int o = 0; o < out; ++o) taps[o] = {o, o, 1.0f, 0.0f};
    return;
  }
  const float scale = static_cast<float>(in) / static_cast<float>(out);
  for (int o = 0; o < out; ++o) {
    float src = scale * (static_cast<float>(o) + 0.5f) - 0.5f;
    if (src < 0) src = 0;
    const int i0 = static_cast<int>(src);
    const int i1 = i0 + (i0 < in - 1 ? 1 : 0);
    float l1 = src - static_cast<float>(i0);
    l1 = l1 < 0 ? 0 : (l1 > 1 ? 1 : l1);
    taps[o] = {i0, i1, 1.0f - l1, l1};
  }
}

}  // namespace

// src (C, H, W), crop inside it -> dst (C, out_h, out_w).
void resized_crop(const float* src, int C, int H, int W, CropParams crop, int out_h, int out_w, float* dst) {
  DL_CHECK(crop.top >= 0 && crop.left >= 0 && crop.height > 0 && crop.width > 0 && crop.top + crop.height <= H &&
               crop.left + crop.width <= W,
           "resized_crop: crop (top ", crop.top, ", left ", crop.left, ", height ", crop.height, ", width ",
           crop.width, ") is not inside the ", H, "x", W, " image");
  DL_CHECK(out_h > 0 && out_w > 0 && C > 0, "resized_crop: bad output (", C, ", ", out_h, ", ", out_w, ")");
  // Reused per thread: no allocation once the largest size has been seen.
  thread_local std::vector<Taps> ty, tx;
  thread_local std::vector<float> rows;  // the crop's rows, interpolated along x: (crop.height, out_w)
  if (static_cast<int>(ty.size()) < out_h) ty.resize(out_h);
  if (static_cast<int>(tx.size()) < out_w) tx.resize(out_w);
  if (rows.size() < static_cast<size_t>(crop.height) * out_w) rows.resize(static_cast<size_t>(crop.height) * out_w);
  compute_taps(crop.height, out_h, ty.data());
  compute_taps(crop.width, out_w, tx.data());
  // Separable, with ATen's grouping l0y (l0x a + l1x b) + l1y (l0x c + l1x d): first every crop
  // row along x, then each output row as a blend of two of those rows (a vectorizable loop).
  for (int c = 0; c < C; ++c) {
    const float* plane = src + static_cast<size_t>(c) * H * W + static_cast<size_t>(crop.top) * W + crop.left;
    for (int y = 0; y < crop.height; ++y) {
      const float* in = plane + static_cast<size_t>(y) * W;
      float* o = rows.data() + static_cast<size_t>(y) * out_w;
      for (int ox = 0; ox < out_w; ++ox) {
        const Taps x = tx[ox];
        o[ox] = x.l0 * in[x.i0] + x.l1 * in[x.i1];
      }
    }
    float* out = dst + static_cast<size_t>(c) * out_h * out_w;
    for (int oy = 0; oy < out_h; ++oy) {
      const Taps y = ty[oy];
      const float* r0 = rows.data() + static_cast<size_t>(y.i0) * out_w;
      const float* r1 = rows.data() + static_cast<size_t>(y.i1) * out_w;
      float* o = out + static_cast<size_t>(oy) * out_w;
      for (int ox = 0; ox < out_w; ++ox) o[ox] = y.l0 * r0[ox] + y.l1 * r1[ox];
    }
  }
}

void resize_bilinear(const float* src, int C, int H, int W, int out_h, int out_w, float* dst) {
  resized_crop(src, C, H, W, CropParams{0, 0, H, W}, out_h, out_w, dst);
}

void hflip(float* img, int C, int H, int W) {
  for (int r = 0; r < C * H; ++r) {
    float* row = img + static_cast<size_t>(r) * W;
    for (int a = 0, b = W - 1; a < b; ++a, --b) std::swap(row[a], row[b]);
  }
}

}  // namespace dl::data
