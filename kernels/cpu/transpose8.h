// transpose8.h - an 8 x 8 float transpose in registers, written with GCC vector shuffles
// (kernels/cpu/simd.h), for the packing copies that turn rows into columns: the Winograd weight
// gradient's B panels and pack_a. Element by element the same as a scalar copy (only moves).
#pragma once
#include <cstdint>

#include "kernels/cpu/simd.h"

// 32-byte vector values inside always-inline helpers draw "ABI changes without AVX" notes on
// builds without AVX; no such vector crosses a real call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu {

// r[i][j] <- r[j][i]. Three stages of two-input shuffles (on AVX: unpack, shuffle, 128-bit permute).
[[gnu::always_inline]] inline void transpose8x8(simd::Vec<8> r[8]) {
  using V = simd::Vec<8>;
  V t[8], u[8];
  for (int i = 0; i < 4; ++i) {  // t[2i] = r[2i][0] r[2i+1][0] r[2i][1] r[2i+1][1] | the same for columns 4, 5
    t[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int h = 0; h < 2; ++h) {  // u[4h + c] = column c | column c + 4 of rows 4h .. 4h + 3
    const V* a = t + 4 * h;
    u[4 * h] = __builtin_shufflevector(a[0], a[2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[4 * h + 1] = __builtin_shufflevector(a[0], a[2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[4 * h + 2] = __builtin_shufflevector(a[1], a[3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[4 * h + 3] = __builtin_shufflevector(a[1], a[3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int c = 0; c < 4; ++c) {  // column c = low halves of u[c] and u[4 + c]; column c + 4 the high ones
    r[c] = __builtin_shufflevector(u[c], u[4 + c], 0, 1, 2, 3, 8, 9, 10, 11);
    r[c + 4] = __builtin_shufflevector(u[c], u[4 + c], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// dst[k * ldd + j] = src[j * lds + k] for j < 8, k < 8.
[[gnu::always_inline]] inline void transpose8x8_copy(float* dst, int64_t ldd, const float* src, int64_t lds) {
  simd::Vec<8> r[8];
  for (int j = 0; j < 8; ++j) r[j] = simd::load<8>(src + j * lds);
  transpose8x8(r);
  for (int k = 0; k < 8; ++k) simd::store<8>(dst + k * ldd, r[k]);
}

}  // namespace dl::cpu

#pragma GCC diagnostic pop
