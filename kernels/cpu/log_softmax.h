// log_softmax.h - row-wise log-softmax of (N, D) on the CPU, numerically stable:
//   y = (x - m) - log(sum_j exp(x_j - m)),  m = max_j x_j  (no exp of a positive number).
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (N, D) = log_softmax(inp) row by row.
void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D);
// dinp (N, D) = dout - exp(out) * sum_j dout_j, per row (written). softmax = exp(out).
void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D);

}  // namespace dl::cpu
