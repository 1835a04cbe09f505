// gemm_packed.h - our own single-threaded SGEMM for the convolution's main product
//   C (M, N) = A (M, K) B (K, N),   all row-major, C has row stride ldc, B row stride ldb,
// where A (the weights, small) is packed ONCE per convolution call and shared by all threads, and
// B is only copied in 16-column panels as the micro-kernel consumes them (or read in place by the
// convolutions, micro_kernel_offsets). OpenBLAS packs both operands on every call, i.e. it
// re-packs the same weights for every image block (measured: im2col + packing cost about as much
// as the FMAs at 16-128 channels; docs/performance.md).
//
// Micro-kernel: a tile of C written once for a SIMD width W (GCC vector extensions,
// kernels/cpu/simd.h) and instantiated for W = 8 (AVX2: 6 x 16, 12 registers, two FMAs per row and
// k) and W = 16 (AVX-512: 12 x 16 up to 16 x 16, one FMA per row and k, and 12 x 32 over two column
// panels); K in chunks of kKc = 256 (the A panels' chunk and a 256 x 16 or x 32 B panel stay in
// L1/L2). The sum for every C element runs over k in
// ascending order, chunks added in order, one FMA each: deterministic, the same whatever thread
// calls it and the same bits for both widths. Runtime dispatch: packed_gemm_available() is false
// on CPUs without AVX2+FMA (and on non-x86, where the callers are not built), then callers use
// cpu::gemm (OpenBLAS).
#pragma once
#include <atomic>
#include <cstdint>

namespace dl::cpu {

// A run-time switch of a fast path: `state` is -1 until first asked, then 1 unless the
// environment variable `env_var` is set to 0 (set_*_enabled overrides it by storing 0/1).
bool env_switch_on(std::atomic<int>& state, const char* env_var);

bool packed_gemm_available();
// Switch it off (tests of the fallback, A/B benchmarks). Default: on, unless the environment
// variable DL_PACKED_GEMM=0 is set when first asked.
void set_packed_gemm_enabled(bool on);

// SIMD width (floats per vector) the micro-kernels are built for: 16 where the compiler targets
// AVX-512 (-march=native on such a CPU), else 8.
#if defined(__AVX512F__)
inline constexpr int kPackSimdWidthBuilt = 16;
#else
inline constexpr int kPackSimdWidthBuilt = 8;
#endif
// The width in use: kPackSimdWidthBuilt, unless the environment variable DL_PACK_SIMD_WIDTH (8 or
// 16, read when first asked) or set_packed_simd_width says otherwise (tests, A/B benchmarks; 16 on
// a build without AVX-512 runs each vector operation as two 8-wide halves: right, not fast).
int packed_simd_width();
void set_packed_simd_width(int width);  // 8 or 16 (anything else: 8)

// Floats needed for the packed A (M rounded up to 6, times K).
int64_t packed_a_floats(int64_t M, int64_t K);

// Ap <- A (M, K) row-major (row stride lda), as panels of 6 rows: Ap[(p K + k) 6 + r] = A[6p + r, k],
// rows past M zero.
void pack_a(float* Ap, const float* A, int64_t M, int64_t K, int64_t lda);

// C (M, N) [ldc] = Ap (packed (M, K)) B (K, N) [ldb]   (beta = 0: C is written, not read first).
// Single-threaded; requires packed_gemm_available().
void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* Ap, const float* B, int64_t ldb, float* C,
                   int64_t ldc);

// The building blocks, for callers that build B panels themselves (kernels/cpu/conv2d_packed.cpp).
constexpr int64_t kPackMr = 6, kPackNr = 16, kPackKc = 256;
// Rows [m0, m0 + mr) of a packed A for one micro-kernel call, m0 a multiple of 6: `a` is row m0 at
// the call's first k (its panel's k slice), and row m0 + r is row r mod 6 of the panel
// (r / 6) * next floats on.
struct PackedRows {
  const float* a;
  int64_t next;
};
// Ap_k0: panel 0 of a packed A at the call's first k; panel_floats: floats from one panel to the next.
inline PackedRows packed_rows(const float* Ap_k0, int64_t panel_floats, int64_t m0) {
  return {Ap_k0 + m0 / kPackMr * panel_floats, panel_floats};
}
// The rows of the micro-kernel call that starts at row m0 of an M-row A; callers step m0 by it
// from 0 (so m0 stays a multiple of 6). Width 8: 6 (one panel; 12 accumulators of 8 floats).
// Width 16: 12 (two panels; 12 accumulators of 16: two 512-bit FMA units of latency 4 keep 8 FMAs
// in flight, one panel's 6 would leave a quarter idle), and the last 13-16 rows in one call.
int64_t micro_kernel_rows(int64_t M, int64_t m0);
// C tile (mr rows from micro_kernel_rows, nr <= 16 columns, row stride ldc) = (first ? 0 : C) + A Bp,
// with A's rows given by `a` (kc of them) and Bp a contiguous kc x 16 panel. Requires
// packed_gemm_available().
void micro_kernel(int64_t kc, const PackedRows& a, const float* Bp, float* C, int64_t ldc, int64_t mr, int64_t nr,
                  bool first);
// The same with B read in place through a row-offset table: row k of B is the 8 floats at
// B[0] + off[k] followed by the 8 at B[1] + off[k] (the convolutions' B rows are runs of a padded
// input copy or of a channels-last slice: no panel copy).
void micro_kernel_offsets(int64_t kc, const PackedRows& a, const float* const* B, const int64_t* off, float* C,
                          int64_t ldc, int64_t mr, int64_t nr, bool first);

// Two column panels in one call (a 32-column tile: 24 accumulators for 12 rows, half the
// broadcasts of A per FMA): available at width 16 (micro_kernel_pairs()). Rows per call:
// micro_kernel_pair_rows (12, then the rest). B read in place: row k of the tile is the 16 floats
// at B0 + off[k] followed by the 16 at B1 + off[k]; C's tile is mr rows of 32 floats (ldc apart).
bool micro_kernel_pairs();
int64_t micro_kernel_pair_rows(int64_t M, int64_t m0);
void micro_kernel_pair_offsets(int64_t kc, const PackedRows& a, const float* B0, const float* B1, const int64_t* off,
                               float* C, int64_t ldc, int64_t mr, bool first);
// The same with B from two contiguous kc x 16 panels P0, P1, and the second panel's C columns
// c_next floats after the first's (another image's output, say).
void micro_kernel_pair(int64_t kc, const PackedRows& a, const float* P0, const float* P1, float* C, int64_t c_next,
                       int64_t ldc, int64_t mr, bool first);

}  // namespace dl::cpu
