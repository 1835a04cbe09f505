// relu_mask.h - the ReLU gradient mask, shared by relu, add_relu and batchnorm_relu backward:
//   keep_if_positive(y, g) = g if y > 0 else +0   (y: the ReLU's output, or its input; NaN -> 0).
// Written as a bitwise AND of g with an all-ones/all-zeros mask rather than `y > 0 ? g : 0`: from
// the conditional, GCC vectorizes the load of g as vmaskmovps, which is slow on AMD Zen (measured
// in the batchnorm+ReLU backward: 0.78-0.90x the time without it); from the AND, a compare and a
// vandps. Same values (g's bits, or +0).
#pragma once
#include <bit>
#include <cstdint>

#include "kernels/cpu/simd.h"

// 32-byte vector values inside always-inline helpers draw "ABI changes without AVX" notes on
// builds without AVX; no such vector crosses a real call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu {

inline float keep_if_positive(float y, float g) {
  return std::bit_cast<float>(std::bit_cast<uint32_t>(g) & (y > 0.0f ? ~0u : 0u));
}

// The same on 8 lanes at once (explicitly vectorized kernels): y > 0 is -1 (all ones) or 0 per lane.
inline simd::Vec<8> keep_if_positive(simd::Vec<8> y, simd::Vec<8> g) {
  typedef int32_t I8 __attribute__((vector_size(32)));
  return reinterpret_cast<simd::Vec<8>>(reinterpret_cast<I8>(g) & (y > 0.0f));
}

}  // namespace dl::cpu

#pragma GCC diagnostic pop
