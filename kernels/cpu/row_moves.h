// row_moves.h - moving short rows of floats with vector loads and stores (kernels/cpu/simd.h):
// plain copies, splitting a row into its even and odd elements and merging two rows back (the
// Winograd tile gathers, the phase-split copies of the convolutions, the stride-2 input
// gradient's rows). Only moves: the same values as the scalar loops.
#pragma once
#include <cstdint>

#include "kernels/cpu/simd.h"

// 32-byte vector values inside always-inline helpers draw "ABI changes without AVX" notes on
// builds without AVX; no such vector crosses a real call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu {

// dst[t] = src[t] for t < n: 8 at a time, then 4, then one. For rows of 4-32 floats, where a
// memcpy / std::copy_n call per row cost more than the copy (measured at 4x4 planes, and 2-3 % of
// the whole Winograd convolution).
inline void copy_short(float* dst, const float* src, int64_t n) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) simd::store<8>(dst + t, simd::load<8>(src + t));
  for (; t + 4 <= n; t += 4) simd::store<4>(dst + t, simd::load<4>(src + t));
  for (; t < n; ++t) dst[t] = src[t];
}

// even[t] = x[2 t], odd[t] = x[2 t + 1] for t < n: 8 pairs at a time, then 4, then one.
inline void deinterleave(const float* x, int64_t n, float* even, float* odd) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const simd::Vec<8> a = simd::load<8>(x + 2 * t), b = simd::load<8>(x + 2 * t + 8);
    const simd::Vec<8> e = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    const simd::Vec<8> o = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    simd::store<8>(even + t, e), simd::store<8>(odd + t, o);
  }
  for (; t + 4 <= n; t += 4) {
    const simd::Vec<4> a = simd::load<4>(x + 2 * t), b = simd::load<4>(x + 2 * t + 4);
    const simd::Vec<4> e = __builtin_shufflevector(a, b, 0, 2, 4, 6), o = __builtin_shufflevector(a, b, 1, 3, 5, 7);
    simd::store<4>(even + t, e), simd::store<4>(odd + t, o);
  }
  for (; t < n; ++t) even[t] = x[2 * t], odd[t] = x[2 * t + 1];
}

// The reverse: x[2 t] = even[t], x[2 t + 1] = odd[t] for t < n.
inline void interleave(const float* even, const float* odd, int64_t n, float* x) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const simd::Vec<8> e = simd::load<8>(even + t), o = simd::load<8>(odd + t);
    const simd::Vec<8> lo = __builtin_shufflevector(e, o, 0, 8, 1, 9, 2, 10, 3, 11);
    const simd::Vec<8> hi = __builtin_shufflevector(e, o, 4, 12, 5, 13, 6, 14, 7, 15);
    simd::store<8>(x + 2 * t, lo), simd::store<8>(x + 2 * t + 8, hi);
  }
  for (; t + 4 <= n; t += 4) {
    const simd::Vec<4> e = simd::load<4>(even + t), o = simd::load<4>(odd + t);
    simd::store<4>(x + 2 * t, __builtin_shufflevector(e, o, 0, 4, 1, 5));
    simd::store<4>(x + 2 * t + 4, __builtin_shufflevector(e, o, 2, 6, 3, 7));
  }
  for (; t < n; ++t) x[2 * t] = even[t], x[2 * t + 1] = odd[t];
}

// dst[t] = src[2 t] for t < n, never reading past src[2 (n - 1)] (deinterleave reads the odd
// element after the last even one).
inline void take_even(float* dst, const float* src, int64_t n) {
  int64_t t = 0;
  for (; t + 8 < n; t += 8) {
    const simd::Vec<8> a = simd::load<8>(src + 2 * t), b = simd::load<8>(src + 2 * t + 8);
    simd::store<8>(dst + t, __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14));
  }
  for (; t < n; ++t) dst[t] = src[2 * t];
}

}  // namespace dl::cpu

#pragma GCC diagnostic pop
