// fast_exp.h - an expf the compiler vectorizes, and the two softmax row reductions built on it.
// glibc's expf is an opaque scalar call unless -ffast-math, which we do not use (it would let
// the compiler reorder the fixed summation orders determinism relies on). This is Cephes' expf:
// x = n ln2 + r with |r| <= ln2/2, exp(r) by a degree-7 polynomial, times 2^n built in the
// exponent bits. Relative error < 2 ulp on [-87.33, 87.33]; below -87.33 (where expf goes
// denormal) and at -inf it returns 0; above 87.33 it saturates at exp(87.33) ~ 8.5e37 instead of
// growing to +inf (callers pass softmax-style arguments x - max <= 0). About 20x glibc's expf
// in a loop on AVX2. Each row is computed by one thread with the same code whatever the thread
// count, so results do not depend on it.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace dl::cpu {

inline float fast_exp(float x) {
  // Clamp |x| to 87.33 and detect underflow with integer operations on the bits: GCC will not
  // if-convert float compares under the default -ftrapping-math, and that blocks vectorization.
  // NaN (|bits| > 0x7f800000) passes through unclamped and comes out NaN.
  int32_t xb;
  std::memcpy(&xb, &x, sizeof xb);
  const int32_t abs_bits = xb & 0x7fffffff, sign = xb & ~0x7fffffff;
  constexpr int32_t kLimit = 0x42aea8f6;  // bits of 87.33f
  const int32_t clamped = abs_bits > 0x7f800000 ? abs_bits : (abs_bits < kLimit ? abs_bits : kLimit);
  const int32_t keep = (sign != 0 && abs_bits >= kLimit && abs_bits <= 0x7f800000) ? 0 : -1;  // 0: underflow
  const int32_t xcb = clamped | sign;
  float xc;
  std::memcpy(&xc, &xcb, sizeof xc);
  // n = round(x / ln2) via the 1.5 * 2^23 trick (round-to-nearest, vectorizes everywhere).
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;  // x - n ln2, ln2 split in two
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = ((static_cast<int32_t>(n) + 127) << 23) & keep;  // 2^n, or +0 on underflow
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// The reductions of a softmax row, in 8 independent lanes (so they vectorize without
// -ffast-math) combined in a fixed order. -inf entries are allowed (masked columns).
inline float row_max(const float* x, int64_t n) {
  float m[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) m[l] = x[i + l] > m[l] ? x[i + l] : m[l];
  for (; i < n; ++i) m[0] = x[i] > m[0] ? x[i] : m[0];
  float r = m[0];
  for (int l = 1; l < 8; ++l) r = m[l] > r ? m[l] : r;
  return r;
}

// sum_i exp(x[i] - shift).
inline float row_sum_exp(const float* x, int64_t n, float shift) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += fast_exp(x[i + l] - shift);
  for (; i < n; ++i) acc[0] += fast_exp(x[i] - shift);
  float r = 0.0f;
  for (int l = 0; l < 8; ++l) r += acc[l];
  return r;
}

// x[i] <- exp(x[i] - shift) in place; returns their sum (the same lanes and order as row_sum_exp).
inline float row_exp_in_place(float* x, int64_t n, float shift) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) {
      x[i + l] = fast_exp(x[i + l] - shift);
      acc[l] += x[i + l];
    }
  for (; i < n; ++i) {
    x[i] = fast_exp(x[i] - shift);
    acc[0] += x[i];
  }
  float r = 0.0f;
  for (int l = 0; l < 8; ++l) r += acc[l];
  return r;
}

}  // namespace dl::cpu
