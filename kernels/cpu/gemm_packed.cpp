// gemm_packed.cpp - see gemm_packed.h.
#include "kernels/cpu/gemm_packed.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "kernels/cpu/simd.h"
#include "kernels/cpu/transpose8.h"

// The 16-wide instantiation on a build without AVX-512 draws notes about the ABI of 64-byte
// vector arguments; all such vectors stay inside always-inline helpers.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu {
namespace {
constexpr int64_t kMr = kPackMr, kNr = kPackNr, kKc = kPackKc;
std::atomic<int> g_enabled{-1};  // -1: not decided yet (read DL_PACKED_GEMM)
std::atomic<int> g_width{-1};    // -1: not decided yet (read DL_PACK_SIMD_WIDTH)

// The callers (conv2d_*packed.cpp) are x86-only. AVX2+FMA at least, and AVX-512F where the
// build's kernels are 16 wide (a -march=native build on such a CPU).
bool cpu_has_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                         (kPackSimdWidthBuilt < 16 || __builtin_cpu_supports("avx512f"));
  return ok;
#else
  return false;
#endif
}
}  // namespace

int packed_simd_width() {
  int w = g_width.load(std::memory_order_relaxed);
  if (w < 0) {
    const char* v = std::getenv("DL_PACK_SIMD_WIDTH");
    w = v && std::atoi(v) == 8 ? 8 : v && std::atoi(v) == 16 ? 16 : kPackSimdWidthBuilt;
    g_width.store(w);
  }
  return w;
}

void set_packed_simd_width(int width) { g_width.store(width == 16 ? 16 : 8); }

void set_packed_gemm_enabled(bool on) { g_enabled.store(on ? 1 : 0); }

bool env_switch_on(std::atomic<int>& state, const char* env_var) {
  int e = state.load(std::memory_order_relaxed);
  if (e < 0) {
    const char* v = std::getenv(env_var);
    e = (v && v[0] == '0') ? 0 : 1;
    state.store(e);
  }
  return e == 1;
}

bool packed_gemm_available() {
  return env_switch_on(g_enabled, "DL_PACKED_GEMM") && cpu_has_avx2_fma();
}

int64_t packed_a_floats(int64_t M, int64_t K) { return (M + kMr - 1) / kMr * kMr * K; }

void pack_a(float* Ap, const float* A, int64_t M, int64_t K, int64_t lda) {
  for (int64_t p = 0; p * kMr < M; ++p) {
    const int64_t rows = std::min(kMr, M - p * kMr);
    const float* a = A + p * kMr * lda;
    float* ap = Ap + p * K * kMr;
    int64_t k = 0;
    if (rows == kMr)  // 8 k at a time: the panel's 6 rows and 2 more (read, not stored) transposed in
      for (; k + 8 <= K && p * kMr + 8 <= M; k += 8) {  // registers; rows 6, 7 exist (next panel)
        simd::Vec<8> r[8];
        for (int j = 0; j < 8; ++j) r[j] = simd::load<8>(a + j * lda + k);
        transpose8x8(r);
        for (int q = 0; q < 8; ++q) std::memcpy(ap + (k + q) * kMr, &r[q], kMr * sizeof(float));
      }
    for (; k < K; ++k)
      for (int64_t r = 0; r < kMr; ++r) ap[k * kMr + r] = r < rows ? a[r * lda + k] : 0.0f;
  }
}

namespace {

// How the micro-kernel reads row k of B (16 floats, or 32 for two panels at once) as NV vectors
// of W floats:
struct StridedRows {  // a panel or matrix with row stride ldb
  const float* B;
  int64_t ldb;
  template <int W, int NV>
  [[gnu::always_inline]] void load(int64_t k, simd::Vec<W> (&b)[NV]) const {
    for (int v = 0; v < NV; ++v) b[v] = simd::load<W>(B + k * ldb + v * W);
  }
};
struct OffsetRows {  // row k: 8 floats at B[h] + off[k] for each half h (conv2d_packed.cpp)
  const float* const* B;
  const int64_t* off;
  template <int W, int NV>
  [[gnu::always_inline]] void load(int64_t k, simd::Vec<W> (&b)[NV]) const {
    static_assert(NV * W == kNr, "one panel only");
    if constexpr (W == 8) b[0] = simd::load<8>(B[0] + off[k]), b[1] = simd::load<8>(B[1] + off[k]);
    else b[0] = simd::concat<16>(simd::load<8>(B[0] + off[k]), simd::load<8>(B[1] + off[k]));
  }
};
struct AdjacentOffsetRows {  // the same when B[1] = B[0] + 8 (all callers today): row k is 16 in a row
  const float* B0;
  const int64_t* off;
  template <int W, int NV>
  [[gnu::always_inline]] void load(int64_t k, simd::Vec<W> (&b)[NV]) const {
    for (int v = 0; v < NV; ++v) b[v] = simd::load<W>(B0 + off[k] + v * W);
  }
};
struct TwoPanelRows {  // two contiguous kc x 16 panels: row k is P0[16 k ..] then P1[16 k ..]
  const float *P0, *P1;
  template <int W, int NV>
  [[gnu::always_inline]] void load(int64_t k, simd::Vec<W> (&b)[NV]) const {
    static_assert(NV * W == 2 * kNr, "two panels");
    for (int v = 0; v < NV / 2; ++v) b[v] = simd::load<W>(P0 + k * kNr + v * W);
    for (int v = 0; v < NV / 2; ++v) b[NV / 2 + v] = simd::load<W>(P1 + k * kNr + v * W);
  }
};
struct PanelPairRows {  // two panels read in place: row k is 16 floats at B0 + off[k], then 16 at B1 + off[k]
  const float *B0, *B1;
  const int64_t* off;
  template <int W, int NV>
  [[gnu::always_inline]] void load(int64_t k, simd::Vec<W> (&b)[NV]) const {
    static_assert(NV * W == 2 * kNr, "two panels");
    for (int v = 0; v < NV / 2; ++v) b[v] = simd::load<W>(B0 + off[k] + v * W);
    for (int v = 0; v < NV / 2; ++v) b[NV / 2 + v] = simd::load<W>(B1 + off[k] + v * W);
  }
};

// C tile (mr <= MR rows, nr <= 16 NB columns) = (first ? 0 : C) + A B, written once for W-float
// vectors. A is read from packed 6-row panels: row r is row r mod 6 of panel r / 6 (Ap[r] at the
// first k, then every 6 floats; only width 16 reads more than one panel), the panels a_next
// floats apart. B (kc x 16 NB) is read through `rows`. Each tile row is 16 NB / W vectors:
// W = 8 gives two AVX2 registers per row (MR = 6: 12 accumulators); W = 16 one AVX-512 register
// per row and panel, so MR = 12 or 16 gives as many accumulators (six would hide only 6 of the 8
// FMAs that two 512-bit FMA units with latency 4 keep in flight).
// NB = 2: two column panels at once (a 32-column tile, width 16 only, MR <= 12: 24 accumulators),
// which halves the broadcasts of A per FMA; the second panel's 16 columns of C are c_next floats
// after the first's (16: side by side).
// Every C element is fma(a_k, b_k, c) over k ascending whatever W, MR and NB are (the same bits
// for every tile). B must have 16 NB readable floats per row (the caller pads the last column
// panel). The FMAs run for MR >= mr rows (MR is mr rounded up to even: rows past M then cost no
// FMAs); rows past mr are zero in the packed A and are not stored.
template <int W, int MR, int NB, typename Rows>
[[gnu::always_inline]] inline void kernel_tile(int64_t kc, const float* Ap, int64_t a_next, const Rows& rows,
                                               float* C, int64_t ldc, int64_t mr, int64_t nr, bool first,
                                               int64_t c_next = kNr) {
  static_assert(MR % 2 == 0 && MR >= 2 && MR <= 16 && (MR <= 6 || W == 16));
  static_assert(NB == 1 || (NB == 2 && W == 16 && MR <= 12));
  using V = simd::Vec<W>;
  constexpr int NC = NB * kNr, NV = NC / W;  // tile columns, vectors per tile row
  V acc[MR][NV];  // fully unrolled below, so GCC keeps all MR * NV accumulators in registers
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  // The C tile is read at the end: ask for it now, so that its lines (often not in L1/L2: the weight
  // gradient sweeps all of dW per pixel chunk) arrive during the FMA loop.
  if (!first)
    for (int64_t r = 0; r < mr; ++r)
      for (int h = 0; h < NB; ++h) {
        __builtin_prefetch(C + r * ldc + h * c_next, 0, 3);
        __builtin_prefetch(C + r * ldc + h * c_next + kNr - 1, 0, 3);
      }
  // One pointer per panel, each advanced by 6 floats per k: every broadcast is then a base +
  // constant operand (base + index operands cost the FMA an extra micro-op on Intel cores).
  constexpr int NP = (MR + kMr - 1) / kMr;
  const float* ap[NP];
  for (int p = 0; p < NP; ++p) ap[p] = Ap + p * a_next;
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    V b[NV];
    rows.template load<W, NV>(k, b);
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) simd::in_register<W>(b[v]);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const V a = simd::broadcast<W>(ap[r / kMr][r % kMr]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = a * b[v] + acc[r][v];
    }
    for (int p = 0; p < NP; ++p) ap[p] += kMr;
  }
  // Rows unrolled with constant indices (r < mr tested per row): the accumulators never go
  // through memory.
  // Vector v of a tile row covers columns v W .. v W + W - 1: panel v W / 16, at C + that * c_next.
  const auto col = [c_next](int v) { return (v * W / kNr) * c_next + (v * W) % kNr; };
  if (nr == NC) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      if (r >= mr) break;
      float* c = C + r * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        simd::store<W>(c + col(v), first ? acc[r][v] : simd::load<W>(c + col(v)) + acc[r][v]);
    }
    return;
  }
  alignas(64) float tile[NC];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    if (r >= mr) break;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) simd::store<W>(tile + v * W, acc[r][v]);
    float* c = C + r * ldc;
    for (int64_t j = 0; j < nr; ++j) {
      float& cj = c[(j / kNr) * c_next + j % kNr];
      cj = first ? tile[j] : cj + tile[j];
    }
  }
}

// One out-of-line function per (width, column panels, B reader): the tile's rows are picked per
// call. Two panels (NB = 2, width 16 only) take at most 12 rows.
template <int W, int NB, typename Rows>
[[gnu::noinline]] void kernel_rows(int64_t kc, const PackedRows& a, const Rows& rows, float* C, int64_t ldc,
                                   int64_t mr, int64_t nr, bool first, int64_t c_next = kNr) {
  const float* Ap = a.a;
  const int64_t an = a.next;
  if constexpr (W == 16) {
    if constexpr (NB == 1) {
      if (mr > 14) return kernel_tile<W, 16, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
      if (mr > 12) return kernel_tile<W, 14, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
    }
    if (mr > 10) return kernel_tile<W, 12, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
    if (mr > 8) return kernel_tile<W, 10, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
    if (mr > 6) return kernel_tile<W, 8, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
  }
  if (mr > 4) kernel_tile<W, 6, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
  else if (mr > 2) kernel_tile<W, 4, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
  else kernel_tile<W, 2, NB>(kc, Ap, an, rows, C, ldc, mr, nr, first, c_next);
}

template <typename Rows>
void kernel_width(int width, int64_t kc, const PackedRows& a, const Rows& rows, float* C, int64_t ldc, int64_t mr,
                  int64_t nr, bool first) {
  if (width == 16) kernel_rows<16, 1>(kc, a, rows, C, ldc, mr, nr, first);
  else kernel_rows<8, 1>(kc, a, rows, C, ldc, mr, nr, first);
}

}  // namespace

void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* Ap, const float* B, int64_t ldb, float* C,
                   int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t m = 0; m < M; ++m) std::fill_n(C + m * ldc, N, 0.0f);
    return;
  }
  // Each B panel (kc x 16, or kc x 32 for two panels at width 16) is copied to a contiguous buffer
  // first: read in place, its rows are ldb apart (often a multiple of 4 KB), all in the same L1
  // sets, and the panel thrashes L1 (measured: 10-25 % slower than OpenBLAS without this copy).
  alignas(64) float panel[kKc * 2 * kNr];
  const int width = packed_simd_width();
  // k chunks outermost: the A chunk (M x kc) stays in L2 while all column panels pass through it.
  for (int64_t k0 = 0; k0 < K; k0 += kKc) {
    const int64_t kc = std::min(kKc, K - k0);
    const bool first = k0 == 0;
    for (int64_t j0 = 0, nc; j0 < N; j0 += nc) {
      const bool pair = width == 16 && N - j0 >= 2 * kNr;  // two full panels: one 32-column tile
      nc = pair ? 2 * kNr : kNr;
      const int64_t nr = std::min(nc, N - j0);
      const float* src = B + k0 * ldb + j0;
      if (pair)  // fixed-size copies compile to a few vector moves
        for (int64_t k = 0; k < kc; ++k) std::memcpy(panel + k * nc, src + k * ldb, 2 * kNr * sizeof(float));
      else if (nr == kNr)
        for (int64_t k = 0; k < kc; ++k) std::memcpy(panel + k * nc, src + k * ldb, kNr * sizeof(float));
      else
        for (int64_t k = 0; k < kc; ++k) {
          std::memcpy(panel + k * nc, src + k * ldb, nr * sizeof(float));
          std::fill(panel + k * nc + nr, panel + (k + 1) * nc, 0.0f);
        }
      const StridedRows rows{panel, nc};
      for (int64_t m0 = 0, mr; m0 < M; m0 += mr) {
        const PackedRows a = packed_rows(Ap + k0 * kMr, K * kMr, m0);
        if (pair) {
          mr = micro_kernel_pair_rows(M, m0);
          kernel_rows<16, 2>(kc, a, rows, C + m0 * ldc + j0, ldc, mr, nr, first);
        } else {
          mr = micro_kernel_rows(M, m0);
          kernel_width(width, kc, a, rows, C + m0 * ldc + j0, ldc, mr, nr, first);
        }
      }
    }
  }
}

int64_t micro_kernel_rows(int64_t M, int64_t m0) {
  const int64_t left = M - m0;
  if (packed_simd_width() != 16) return std::min(left, kMr);
  // Up to 16 rows left: one call (16 channels: 16 accumulators, not 12 + a 4-row call that keeps
  // only 4 FMA chains in flight); more: 12. So every call starts on a panel.
  return left <= 16 ? left : 2 * kMr;
}

int64_t micro_kernel_pair_rows(int64_t M, int64_t m0) { return std::min(M - m0, 2 * kMr); }

void micro_kernel(int64_t kc, const PackedRows& a, const float* Bp, float* C, int64_t ldc, int64_t mr, int64_t nr,
                  bool first) {
  kernel_width(packed_simd_width(), kc, a, StridedRows{Bp, kNr}, C, ldc, mr, nr, first);
}

void micro_kernel_offsets(int64_t kc, const PackedRows& a, const float* const* B, const int64_t* off, float* C,
                          int64_t ldc, int64_t mr, int64_t nr, bool first) {
  const int width = packed_simd_width();
  if (B[1] == B[0] + 8) kernel_width(width, kc, a, AdjacentOffsetRows{B[0], off}, C, ldc, mr, nr, first);
  else kernel_width(width, kc, a, OffsetRows{B, off}, C, ldc, mr, nr, first);
}

bool micro_kernel_pairs() { return packed_simd_width() == 16; }

void micro_kernel_pair_offsets(int64_t kc, const PackedRows& a, const float* B0, const float* B1, const int64_t* off,
                               float* C, int64_t ldc, int64_t mr, bool first) {
  kernel_rows<16, 2>(kc, a, PanelPairRows{B0, B1, off}, C, ldc, mr, 2 * kNr, first);
}

void micro_kernel_pair(int64_t kc, const PackedRows& a, const float* P0, const float* P1, float* C, int64_t c_next,
                       int64_t ldc, int64_t mr, bool first) {
  kernel_rows<16, 2>(kc, a, TwoPanelRows{P0, P1}, C, ldc, mr, 2 * kNr, first, c_next);
}

}  // namespace dl::cpu
