// color_jitter.cpp - the four ColorJitter adjustments and grayscale, as torchvision 0.14's
// functional_tensor does them on float images in [0, 1]:
//   _blend(a, b, r) = clamp(r a + (1 - r) b, 0, 1)
//   brightness: _blend(x, 0, f); contrast: _blend(x, mean(gray(x)), f);
//   saturation: _blend(x, gray(x), f); hue: rotate h in HSV by hue_factor (mod 1).
// gray(x) = 0.2989 R + 0.587 G + 0.114 B. One-channel images: contrast blends with the image
// mean; saturation, hue and grayscale do nothing (as torchvision does, to match PIL's 'L').
#include <algorithm>
#include <cmath>
#include <cstdint>

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
    const float maxc = std::max(r, std::max(g, b));  // no NaNs: plain max, not libm fmax
    const float minc = std::min(r, std::min(g, b));
    const bool eqc = maxc == minc;
    const float cr = maxc - minc;
    const float s = cr / (eqc ? 1.0f : maxc);
    const float div = eqc ? 1.0f : cr;
    const float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
    float h = maxc == r ? bc - gc : (maxc == g ? 2.0f + rc - bc : 4.0f + gc - rc);
    // torch.fmod(h / 6 + 1, 1): h is in [-1, 5], so x = h / 6 + 1 lies in [5/6, 11/6] and
    // fmod(x, 1) is x - 1 when x >= 1 (exact in float for x in [1, 2]) and x otherwise.
    h = h / 6.0f + 1.0f;
    h = h >= 1.0f ? h - 1.0f : h;
    const float v = maxc;
    // (h + hue_factor) % 1.0 (torch.remainder: fmod, then + 1 if negative). y is in [-0.5, 1.5).
    h = h + hue_factor;
    h = h >= 1.0f ? h - 1.0f : (h < 0.0f ? h + 1.0f : h);
    // _hsv2rgb. h6 >= 0, so the int cast is the floor; h == 1 (from -tiny + 1) gives sector 6 -> 0.
    const float h6 = h * 6.0f;
    const int fi = static_cast<int>(h6);
    const float f = h6 - static_cast<float>(fi);
    const int sector = fi % 6;
    const float p = clamp01(v * (1.0f - s));
    const float q = clamp01(v * (1.0f - s * f));
    const float t = clamp01(v * (1.0f - s * (1.0f - f)));
    // torchvision's a1/a2/a3 stacks: R = (v, q, p, p, t, v)[sector], G = (t, v, v, q, p, p),
    // B = (p, p, t, v, v, q); as table lookups into {v, q, p, t} instead of a branchy switch.
    const float vals[4] = {v, q, p, t};
    static constexpr uint8_t kR[6] = {0, 1, 2, 2, 3, 0}, kG[6] = {3, 0, 0, 1, 2, 2}, kB[6] = {2, 2, 3, 0, 0, 1};
    const float ro = vals[kR[sector]], go = vals[kG[sector]], bo = vals[kB[sector]];
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
