// vec_exp.h - an expf that the compiler can vectorize. glibc only offers vector expf under
// -ffast-math, so a loop calling std::exp runs one element at a time; this inline version turns
// into 8-wide AVX2 code inside `omp simd` loops.
//
// Method (Cephes expf): e^x = 2^n e^r with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2]
// (ln 2 split in two constants so r is exact); e^r from a degree-7 polynomial; 2^n built in the
// exponent bits. Max relative error about 2 ulp over the float range (tests/test_log_softmax.cpp
// checks it against std::exp). Below -87.3 it returns 0, above 88.7 +inf, like std::exp.
// GCC vectorizes it only where -fno-trapping-math is on (the clamps must become blends): the
// including kernel file gets that flag in CMakeLists.txt; elsewhere it is correct but scalar.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace dl::cpu {

inline float vec_exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kMin = -87.33654f, kMax = 88.72283f;
  const float xc = x < kMin ? kMin : (x > kMax ? kMax : x);  // ternaries become blends; fminf calls do not
  const float n = std::floor(xc * kLog2e + 0.5f);  // round(x / ln 2)
  const float r = (xc - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float er = p * r * r + r + 1.0f;
  // 2^n from its exponent bits; n reaches 128 just below kMax, past the largest exponent, so
  // that case uses 2 * 2^127.
  int32_t ni = static_cast<int32_t>(n);
  if (ni > 127) {
    ni = 127;
    er *= 2.0f;
  }
  const float y = er * std::bit_cast<float>((ni + 127) << 23);
  return x < kMin ? 0.0f : (x > kMax ? INFINITY : y);
}

}  // namespace dl::cpu
