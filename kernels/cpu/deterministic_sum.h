// deterministic_sum.h - sums of n float terms that are accurate and bitwise reproducible whatever
// the OpenMP thread count. Shared by the reduce, binary (broadcast gradients) and l2_normalize
// kernels.
//
// The order of additions is fixed by n alone, never by the threads:
//   * terms are added in double, vectorized (`omp simd reduction`: a fixed lane layout for a
//     given build), within a chunk of kChunk terms;
//   * chunk sums (one per chunk, computed by whichever thread) are added in order.
// Double accumulation costs nothing here (the loops are memory-bound) and keeps a 16M-element sum
// exact to float precision, where a naive float loop loses ~4 digits.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace dl::cpu {

inline constexpr int64_t kChunk = 16384;          // terms per parallel work item
// Below this many elements a memory-bound loop runs on one thread: forking costs more than it
// saves, and far more when the cores are shared (a barrier can wait a whole time slice).
inline constexpr int64_t kParallelMin = 1 << 18;

// Sum of term(i) for i in [begin, end), serial. term must be a cheap inlinable callable.
template <typename Term>
inline double serial_sum(int64_t begin, int64_t end, const Term& term) {
  double total = 0.0;
#pragma omp simd reduction(+ : total)
  for (int64_t i = begin; i < end; ++i) total += static_cast<double>(term(i));
  return total;
}

// Sum of term(i) for i in [0, n); chunks run in parallel when n is large, combined in order.
template <typename Term>
inline double parallel_sum(int64_t n, const Term& term) {
  if (n <= kChunk) return serial_sum(0, n, term);
  const int64_t n_chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(n_chunks));
#pragma omp parallel for schedule(static) if (n > kParallelMin)
  for (int64_t c = 0; c < n_chunks; ++c)
    partial[c] = serial_sum(c * kChunk, std::min(n, (c + 1) * kChunk), term);
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace dl::cpu
