// color_jitter.cpp - the four ColorJitter adjustments and grayscale, as torchvision 0.14's
// functional_tensor does them on float images in [0, 1]:
//   _blend(a, b, r) = clamp(r a + (1 - r) b, 0, 1)
//   brightness: _blend(x, 0, f); contrast: _blend(x, mean(gray(x)), f);
//   saturation: _blend(x, gray(x), f); hue: rotate h in HSV by hue_factor (mod 1).
// gray(x) = 0.2989 R + 0.587 G + 0.114 B. One-channel images: contrast blends with the image
// mean; saturation, hue and grayscale do nothing (as torchvision does, to match PIL's 'L').
#include <cmath>

#include "data/transforms.h"
#include "tensor/error.h"

namespace dl::data {

namespace {

inline float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

void check_channels(const char* what, int C) {
  DL_CHECK(C == 1 || C == 3, what, ": expected 1 or 3 channels, got ", C);
}

}  // namespace

void adjust_brightness(float* img, int C, int HW, float factor) {
  check_channels("adjust_brightness", C);
  DL_CHECK(factor >= 0, "adjust_brightness: factor ", factor, " is negative");
  const int n = C * HW;
  for (int i = 0; i < n; ++i) img[i] = clamp01(factor * img[i]);
}

void adjust_contrast(float* img, int C, int HW, float factor) {
  check_channels("adjust_contrast", C);
  DL_CHECK(factor >= 0, "adjust_contrast: factor ", factor, " is negative");
  // The mean of the grayscale image (one value for all channels), accumulated in double so the
  // result does not depend on the summation order.
  double sum = 0;
  if (C == 3) {
    const float *r = img, *g = img + HW, *b = img + 2 * HW;
    for (int i = 0; i < HW; ++i) sum += kGrayR * r[i] + kGrayG * g[i] + kGrayB * b[i];
  } else {
    for (int i = 0; i < HW; ++i) sum += img[i];
  }
  const float mean = static_cast<float>(sum / HW);
  const float offset = (1.0f - factor) * mean;
  const int n = C * HW;
  for (int i = 0; i < n; ++i) img[i] = clamp01(factor * img[i] + offset);
}

void adjust_saturation(float* img, int C, int HW, float factor) {
  check_channels("adjust_saturation", C);
  DL_CHECK(factor >= 0, "adjust_saturation: factor ", factor, " is negative");
  if (C == 1) return;
  float *r = img, *g = img + HW, *b = img + 2 * HW;
  const float keep = 1.0f - factor;
  for (int i = 0; i < HW; ++i) {
    const float gray = kGrayR * r[i] + kGrayG * g[i] + kGrayB * b[i];
    r[i] = clamp01(factor * r[i] + keep * gray);
    g[i] = clamp01(factor * g[i] + keep * gray);
    b[i] = clamp01(factor * b[i] + keep * gray);
  }
}

// Per pixel: torchvision's _rgb2hsv, the shift, then _hsv2rgb, step for step (including the
// fmod/remainder conventions), so pixels on sector boundaries land where torchvision puts them.
void adjust_hue(float* img, int C, int HW, float hue_factor) {
  check_channels("adjust_hue", C);
  DL_CHECK(hue_factor >= -0.5f && hue_factor <= 0.5f, "adjust_hue: hue_factor ", hue_factor,
           " is not in [-0.5, 0.5]");
  if (C == 1) return;
  float *R = img, *G = img + HW, *B = img + 2 * HW;
  for (int i = 0; i < HW; ++i) {
    const float r = R[i], g = G[i], b = B[i];
    // _rgb2hsv
    const float maxc = std::fmax(r, std::fmax(g, b));
    const float minc = std::fmin(r, std::fmin(g, b));
    const bool eqc = maxc == minc;
    const float cr = maxc - minc;
    const float s = cr / (eqc ? 1.0f : maxc);
    const float div = eqc ? 1.0f : cr;
    const float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
    float h;
    if (maxc == r) h = bc - gc;
    else if (maxc == g) h = 2.0f + rc - bc;
    else h = 4.0f + gc - rc;
    h = std::fmod(h / 6.0f + 1.0f, 1.0f);
    const float v = maxc;
    // (h + hue_factor) % 1.0 with Python/torch.remainder semantics (result has the divisor's sign).
    h = std::fmod(h + hue_factor, 1.0f);
    if (h != 0.0f && h < 0.0f) h += 1.0f;
    // _hsv2rgb
    const float h6 = h * 6.0f;
    const float fi = std::floor(h6);
    const float f = h6 - fi;
    const int sector = static_cast<int>(fi) % 6;
    const float p = clamp01(v * (1.0f - s));
    const float q = clamp01(v * (1.0f - s * f));
    const float t = clamp01(v * (1.0f - s * (1.0f - f)));
    float ro, go, bo;
    switch (sector) {
      case 0: ro = v, go = t, bo = p; break;
      case 1: ro = q, go = v, bo = p; break;
      case 2: ro = p, go = v, bo = t; break;
      case 3: ro = p, go = q, bo = v; break;
      case 4: ro = t, go = p, bo = v; break;
      default: ro = v, go = p, bo = q; break;
    }
    R[i] = ro, G[i] = go, B[i] = bo;
  }
}

void rgb_to_grayscale(float* img, int C, int HW) {
  check_channels("rgb_to_grayscale", C);
  if (C == 1) return;
  float *r = img, *g = img + HW, *b = img + 2 * HW;
  for (int i = 0; i < HW; ++i) {
    const float gray = kGrayR * r[i] + kGrayG * g[i] + kGrayB * b[i];
    r[i] = g[i] = b[i] = gray;
  }
}

}  // namespace dl::data
