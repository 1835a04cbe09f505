// gemm_packed.cpp - see gemm_packed.h.
#include "kernels/cpu/gemm_packed.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DL_HAVE_X86 1
#else
#define DL_HAVE_X86 0
#endif

namespace dl::cpu {
namespace {
constexpr int64_t kMr = kPackMr, kNr = kPackNr, kKc = kPackKc;
std::atomic<int> g_enabled{-1};  // -1: not decided yet (read DL_PACKED_GEMM)
bool cpu_has_avx2_fma();
}  // namespace

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
  for (int64_t p = 0; p * kMr < M; ++p)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t r = 0; r < kMr; ++r) {
        const int64_t m = p * kMr + r;
        Ap[(p * K + k) * kMr + r] = m < M ? A[m * lda + k] : 0.0f;
      }
}

#if DL_HAVE_X86

namespace {

bool cpu_has_avx2_fma() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

// How the micro-kernel reads row k of B (16 floats, as two 8-float halves b0, b1):
struct StridedRows {  // a panel or matrix with row stride ldb
  const float* B;
  int64_t ldb;
  __attribute__((target("avx2"), always_inline)) void load(int64_t k, __m256& b0, __m256& b1) const {
    b0 = _mm256_loadu_ps(B + k * ldb), b1 = _mm256_loadu_ps(B + k * ldb + 8);
  }
};
struct OffsetRows {  // row k: 8 floats at B[h] + off[k] for each half h (conv2d_packed.cpp)
  const float* const* B;
  const int64_t* off;
  __attribute__((target("avx2"), always_inline)) void load(int64_t k, __m256& b0, __m256& b1) const {
    b0 = _mm256_loadu_ps(B[0] + off[k]), b1 = _mm256_loadu_ps(B[1] + off[k]);
  }
};
// C tile (mr <= 6 rows, nr <= 16 columns) = (first ? 0 : C) + Ap (kc x 6) B (kc x 16, rows read by
// `rows`). B must have 16 readable floats per row (the caller pads the last column panel). The
// FMAs run for MR >= mr rows (MR = 6, or 4 / 2 for the last row panel of M = 16, 32, 64, 128: rows
// past M then cost no FMAs); rows past mr are zero in Ap and are not stored.
template <int MR, typename Rows>
__attribute__((target("avx2,fma"))) void kernel_6x16(int64_t kc, const float* Ap, const Rows& rows, float* C,
                                                     int64_t ldc, int64_t mr, int64_t nr, bool first) {
  static_assert(MR == 2 || MR == 4 || MR == 6);
  // Twelve named accumulators (an array indexed in a loop is kept on the stack by GCC).
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
         c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
         c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
         c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // The C tile is read at the end: ask for it now, so that its lines (often not in L1/L2: the weight
  // gradient sweeps all of dW per pixel chunk) arrive during the FMA loop.
  if (!first)
    for (int64_t r = 0; r < mr; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc + kNr - 1), _MM_HINT_T0);
    }
  for (int64_t k = 0; k < kc; ++k, Ap += kMr) {
    __m256 b0, b1;
    rows.load(k, b0, b1);
    __m256 a = _mm256_broadcast_ss(Ap + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00), c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(Ap + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10), c11 = _mm256_fmadd_ps(a, b1, c11);
    if constexpr (MR > 2) {
      a = _mm256_broadcast_ss(Ap + 2);
      c20 = _mm256_fmadd_ps(a, b0, c20), c21 = _mm256_fmadd_ps(a, b1, c21);
      a = _mm256_broadcast_ss(Ap + 3);
      c30 = _mm256_fmadd_ps(a, b0, c30), c31 = _mm256_fmadd_ps(a, b1, c31);
    }
    if constexpr (MR > 4) {
      a = _mm256_broadcast_ss(Ap + 4);
      c40 = _mm256_fmadd_ps(a, b0, c40), c41 = _mm256_fmadd_ps(a, b1, c41);
      a = _mm256_broadcast_ss(Ap + 5);
      c50 = _mm256_fmadd_ps(a, b0, c50), c51 = _mm256_fmadd_ps(a, b1, c51);
    }
  }
  const __m256 acc[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (nr == kNr) {
    for (int64_t r = 0; r < mr; ++r) {
      float* c = C + r * ldc;
      if (first) {
        _mm256_storeu_ps(c, acc[r][0]);
        _mm256_storeu_ps(c + 8, acc[r][1]);
      } else {
        _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), acc[r][0]));
        _mm256_storeu_ps(c + 8, _mm256_add_ps(_mm256_loadu_ps(c + 8), acc[r][1]));
      }
    }
    return;
  }
  alignas(32) float tile[kNr];
  for (int64_t r = 0; r < mr; ++r) {
    _mm256_store_ps(tile, acc[r][0]);
    _mm256_store_ps(tile + 8, acc[r][1]);
    float* c = C + r * ldc;
    for (int64_t j = 0; j < nr; ++j) c[j] = first ? tile[j] : c[j] + tile[j];
  }
}

template <typename Rows>
void kernel_rows(int64_t kc, const float* Ap, const Rows& rows, float* C, int64_t ldc, int64_t mr, int64_t nr,
                 bool first) {
  if (mr > 4) kernel_6x16<6>(kc, Ap, rows, C, ldc, mr, nr, first);
  else if (mr > 2) kernel_6x16<4>(kc, Ap, rows, C, ldc, mr, nr, first);
  else kernel_6x16<2>(kc, Ap, rows, C, ldc, mr, nr, first);
}

}  // namespace

void gemm_packed_a(int64_t M, int64_t N, int64_t K, const float* Ap, const float* B, int64_t ldb, float* C,
                   int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int64_t m = 0; m < M; ++m) std::fill_n(C + m * ldc, N, 0.0f);
    return;
  }
  // Each B panel (kc x 16) is copied to a contiguous buffer first: read in place, its rows are
  // ldb apart (often a multiple of 4 KB), all in the same L1 sets, and the panel thrashes L1
  // (measured: 10-25 % slower than OpenBLAS without this copy).
  alignas(64) float panel[kKc * kNr];
  // k chunks outermost: the A chunk (M x kc) stays in L2 while all column panels pass through it.
  for (int64_t k0 = 0; k0 < K; k0 += kKc) {
    const int64_t kc = std::min(kKc, K - k0);
    const bool first = k0 == 0;
    for (int64_t j0 = 0; j0 < N; j0 += kNr) {
      const int64_t nr = std::min(kNr, N - j0);
      const float* src = B + k0 * ldb + j0;
      if (nr == kNr) {
        for (int64_t k = 0; k < kc; ++k) std::memcpy(panel + k * kNr, src + k * ldb, kNr * sizeof(float));
      } else {
        for (int64_t k = 0; k < kc; ++k) {
          std::memcpy(panel + k * kNr, src + k * ldb, nr * sizeof(float));
          std::fill(panel + k * kNr + nr, panel + (k + 1) * kNr, 0.0f);
        }
      }
      for (int64_t p = 0; p * kMr < M; ++p)
        kernel_rows(kc, Ap + (p * K + k0) * kMr, StridedRows{panel, kNr}, C + p * kMr * ldc + j0, ldc,
                    std::min(kMr, M - p * kMr), nr, first);
    }
  }
}

void micro_kernel_6x16(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, int64_t mr, int64_t nr,
                       bool first) {
  kernel_rows(kc, Ap, StridedRows{Bp, kNr}, C, ldc, mr, nr, first);
}

void micro_kernel_6x16_offsets(int64_t kc, const float* Ap, const float* const* B, const int64_t* off, float* C,
                               int64_t ldc, int64_t mr, int64_t nr, bool first) {
  kernel_rows(kc, Ap, OffsetRows{B, off}, C, ldc, mr, nr, first);
}

#else  // no x86: callers fall back to cpu::gemm

namespace {
bool cpu_has_avx2_fma() { return false; }
}  // namespace
void gemm_packed_a(int64_t, int64_t, int64_t, const float*, const float*, int64_t, float*, int64_t) {}
void micro_kernel_6x16(int64_t, const float*, const float*, float*, int64_t, int64_t, int64_t, bool) {}
void micro_kernel_6x16_offsets(int64_t, const float*, const float* const*, const int64_t*, float*, int64_t, int64_t,
                               int64_t, bool) {}

#endif

}  // namespace dl::cpu
