// log_softmax.h - plain row-wise log-softmax of (N, D), numerically stable.
// Fast twin: kernels/cpu/log_softmax.h (same arguments; it uses a vectorized exp and OpenMP).
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::ref {

// out (N, D) = log_softmax(inp) row by row.
void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D);
// dinp (N, D) = dout - exp(out) * sum_j dout_j per row, written (=); null dinp is skipped.
void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D);

}  // namespace dl::ref
