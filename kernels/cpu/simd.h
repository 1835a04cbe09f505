// simd.h - a vector of W floats written once with GCC's vector extensions, for kernels that are
// instantiated per SIMD width (kernels/cpu/gemm_packed.cpp): W = 8 is one AVX2 register, W = 16
// one AVX-512 register. Where the target lacks a width, GCC splits each operation into narrower
// ones (a 16-wide vector on an AVX2-only build runs as two 8-wide halves), so every instantiation
// compiles and runs on every x86-64 build and its logic is tested everywhere; only its speed
// depends on the CPU.
//
// Arithmetic is the language's: a * b + c is contracted to one FMA (-ffp-contract=fast, GCC's
// default for C++, with FMA in the target), the same rounding as _mm256_fmadd_ps: an 8-wide and a
// 16-wide kernel that run the same k order give the same bits.
#pragma once
#include <cstdint>

// A 16-wide vector parameter of an always-inline helper draws "ABI changes without AVX-512" notes
// on AVX2 builds; no such vector crosses a real call.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu::simd {

template <int W>
struct VecOf {
  static_assert(W == 4 || W == 8 || W == 16, "simd width: 4, 8 or 16 floats");
  typedef float type __attribute__((vector_size(4 * W)));
};
template <int W>
using Vec = typename VecOf<W>::type;

// The widest float vector of the build's target: 16 with AVX-512F, 8 with AVX, else 4.
#if defined(__AVX512F__)
inline constexpr int kNativeWidth = 16;
#elif defined(__AVX__)
inline constexpr int kNativeWidth = 8;
#else
inline constexpr int kNativeWidth = 4;
#endif

// Unaligned load / store (memcpy of a vector compiles to one vmovups).
template <int W>
[[gnu::always_inline]] inline Vec<W> load(const float* p) {
  Vec<W> v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <int W>
[[gnu::always_inline]] inline void store(float* p, const Vec<W>& v) {  // by reference: no 64-byte argument
  __builtin_memcpy(p, &v, sizeof v);
}

// All lanes = x (x - 0 is x for every x, -0 included, so this is a plain broadcast).
template <int W>
[[gnu::always_inline]] inline Vec<W> broadcast(float x) {
  return x - Vec<W>{};
}

// Keeps v in a register from here on: without it GCC may fold one load into every FMA that uses
// it as a memory operand (it did in the 4- and 2-row 8-wide GEMM tiles: 12 loads per 8 FMAs,
// 1.5x slower than with B in registers). Only where one register holds W floats.
template <int W>
[[gnu::always_inline]] inline void in_register(Vec<W>& v) {
#if defined(__x86_64__) || defined(__i386__)
  if constexpr (W <= kNativeWidth) __asm__("" : "+v"(v));
#else
  (void)v;
#endif
}

// [lo, hi]: two W/2-wide halves as one W-wide vector.
template <int W>
  requires(W == 8 || W == 16)
[[gnu::always_inline]] inline Vec<W> concat(Vec<W / 2> lo, Vec<W / 2> hi) {
  if constexpr (W == 16)
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  else
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
}

}  // namespace dl::cpu::simd

#pragma GCC diagnostic pop
