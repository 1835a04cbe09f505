// log_softmax.h - CUDA twin of kernels/cpu/log_softmax.h: the same functions and arguments, device pointers.
// Semantics (shapes, formulas, = vs +=, determinism) are documented there; kernels/cuda/log_softmax.cu implements them.
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::cuda {

// out (N, D) = log_softmax(inp) row by row.
void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D);
// dinp (N, D) = dout - exp(out) * sum_j dout_j, per row (written). softmax = exp(out).
void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D);

}  // namespace dl::cuda
