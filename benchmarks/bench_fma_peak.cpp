// bench_fma_peak.cpp - the machine's single-precision FMA peak (benchmarks/fma_peak.h: 12
// independent FMA chains per thread), per ISA (avx512 0: AVX2, 1: AVX-512, skipped where the CPU
// lacks it) and thread count (all_threads 0: one thread, 1: omp_get_max_threads()). The yardstick of every "% of peak" in the benchmarks;
// benchmarks/compare/run.sh measures it in the same run through step_bench --peak.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>

#include "benchmarks/fma_peak.h"

namespace {

void BM_fma_peak(benchmark::State& state) {
  const auto isa = state.range(0) == 0 ? dl::bench::FmaIsa::avx2 : dl::bench::FmaIsa::avx512;
  const auto isas = dl::bench::available_fma_isas();
  if (std::find(isas.begin(), isas.end(), isa) == isas.end()) {
    state.SkipWithError("this CPU lacks the ISA");
    return;
  }
  const int threads = state.range(1) == 1 ? omp_get_max_threads() : 1;
  double best = 0;
  for (auto _ : state) best = std::max(best, dl::bench::fma_gflops_once(isa, threads, int64_t{1} << 22));
  state.counters["GFLOP/s"] = best;  // best iteration: load from other processes only lowers a run
  state.counters["threads"] = threads;
  state.SetLabel(dl::bench::isa_name(isa));
}

}  // namespace

BENCHMARK(BM_fma_peak)
    ->ArgNames({"avx512", "all_threads"})
    ->Args({0, 0})->Args({0, 1})->Args({1, 0})->Args({1, 1})
    ->UseRealTime();
