// fma_peak.h - the machine's measured FMA peak (single precision), the yardstick of the
// benchmarks' "share of peak": every thread runs kChains independent FMA chains on AVX2 (8-float)
// or AVX-512 (16-float) registers, acc_i = acc_i * x + y, for a fixed number of iterations.
// 12 chains cover the FMA latency times the FMA ports of today's cores (4 cycles x 2 ports needs
// 8 in flight). FLOPs counted: 2 per lane per FMA, i.e. threads * iters * kChains * 2 * width.
// Used by step_bench --peak (benchmarks/compare) and bench_fma_peak.cpp (dl_bench).
#pragma once
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace dl::bench {

enum class FmaIsa { avx2, avx512 };

inline const char* isa_name(FmaIsa isa) { return isa == FmaIsa::avx2 ? "avx2" : "avx512"; }
inline int isa_width(FmaIsa isa) { return isa == FmaIsa::avx2 ? 8 : 16; }

// The ISAs this CPU runs (whatever the build targets: each probe has its own target attribute).
inline std::vector<FmaIsa> available_fma_isas() {
  std::vector<FmaIsa> v;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) v.push_back(FmaIsa::avx2);
  if (__builtin_cpu_supports("avx512f")) v.push_back(FmaIsa::avx512);
  return v;
}

inline constexpr int kChains = 12;

// The chains converge to y / (1 - x) (no overflow, no denormals); the sum is returned so that
// the loop cannot be dropped.
__attribute__((target("avx2,fma"), noinline)) inline float fma_chains_avx2(int64_t iters) {
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-6f);
  // Distinct starting values, and every chain through the empty asm each iteration: otherwise the
  // compiler merges identical chains.
  __m256 a0 = y, a1 = a0 + y, a2 = a1 + y, a3 = a2 + y, a4 = a3 + y, a5 = a4 + y, a6 = a5 + y, a7 = a6 + y,
         a8 = a7 + y, a9 = a8 + y, a10 = a9 + y, a11 = a10 + y;
  for (int64_t i = 0; i < iters; ++i) {
    a0 = _mm256_fmadd_ps(a0, x, y), a1 = _mm256_fmadd_ps(a1, x, y), a2 = _mm256_fmadd_ps(a2, x, y);
    a3 = _mm256_fmadd_ps(a3, x, y), a4 = _mm256_fmadd_ps(a4, x, y), a5 = _mm256_fmadd_ps(a5, x, y);
    a6 = _mm256_fmadd_ps(a6, x, y), a7 = _mm256_fmadd_ps(a7, x, y), a8 = _mm256_fmadd_ps(a8, x, y);
    a9 = _mm256_fmadd_ps(a9, x, y), a10 = _mm256_fmadd_ps(a10, x, y), a11 = _mm256_fmadd_ps(a11, x, y);
    __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5));
    __asm__ volatile("" : "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
  }
  const __m256 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  return s[0] + s[7];
}

__attribute__((target("avx512f"), noinline)) inline float fma_chains_avx512(int64_t iters) {
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-6f);
  // Distinct starting values, and every chain through the empty asm each iteration: otherwise the
  // compiler merges identical chains.
  __m512 a0 = y, a1 = a0 + y, a2 = a1 + y, a3 = a2 + y, a4 = a3 + y, a5 = a4 + y, a6 = a5 + y, a7 = a6 + y,
         a8 = a7 + y, a9 = a8 + y, a10 = a9 + y, a11 = a10 + y;
  for (int64_t i = 0; i < iters; ++i) {
    a0 = _mm512_fmadd_ps(a0, x, y), a1 = _mm512_fmadd_ps(a1, x, y), a2 = _mm512_fmadd_ps(a2, x, y);
    a3 = _mm512_fmadd_ps(a3, x, y), a4 = _mm512_fmadd_ps(a4, x, y), a5 = _mm512_fmadd_ps(a5, x, y);
    a6 = _mm512_fmadd_ps(a6, x, y), a7 = _mm512_fmadd_ps(a7, x, y), a8 = _mm512_fmadd_ps(a8, x, y);
    a9 = _mm512_fmadd_ps(a9, x, y), a10 = _mm512_fmadd_ps(a10, x, y), a11 = _mm512_fmadd_ps(a11, x, y);
    __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5));
    __asm__ volatile("" : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));
  }
  const __m512 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  return s[0] + s[15];
}

// GFLOP/s of `threads` threads each running `iters` iterations of the chains (wall time from the
// start of the parallel region to its end, the slowest thread included).
inline double fma_gflops_once(FmaIsa isa, int threads, int64_t iters) {
  float sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  sink += isa == FmaIsa::avx2 ? fma_chains_avx2(iters) : fma_chains_avx512(iters);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  __asm__ volatile("" : : "x"(sink));  // the chains' result is used
  return static_cast<double>(threads) * iters * kChains * 2 * isa_width(isa) / s * 1e-9;
}

struct FmaPeak {
  double best_gflops = 0, median_gflops = 0;
  int runs = 0;
};

// Best (the peak: load from other processes only lowers a run) and median of `runs` runs of about
// `seconds` each (many short runs: on a shared machine some of them find the cores free).
inline FmaPeak measure_fma_peak(FmaIsa isa, int threads, int runs = 40, double seconds = 0.01) {
  fma_gflops_once(isa, threads, 1 << 16);  // wake the threads and the wide units
  // Size the runs from a short one: iters = seconds * rate / FLOPs per iteration and thread.
  const double rate = fma_gflops_once(isa, threads, 1 << 20) * 1e9;
  const double per_iter = static_cast<double>(threads) * kChains * 2 * isa_width(isa);
  const auto iters = static_cast<int64_t>(std::max(1e5, seconds * rate / per_iter));
  std::vector<double> g;
  for (int r = 0; r < runs; ++r) g.push_back(fma_gflops_once(isa, threads, iters));
  std::sort(g.begin(), g.end());
  return {g.back(), g[g.size() / 2], runs};
}

}  // namespace dl::bench
