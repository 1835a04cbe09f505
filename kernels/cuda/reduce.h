// reduce.h - CUDA twin of kernels/cpu/reduce.h: the same functions and arguments, device pointers.
// Semantics (shapes, formulas, = vs +=, determinism) are documented there; kernels/cuda/reduce.cu implements them.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

// out (1) = scale * sum_i inp[i];  inp (n).
void sum_all_forward(float* out, const float* inp, int64_t n, float scale);
// dinp (n) = scale * dout[0]  (written).
void sum_all_backward(float* dinp, const float* dout, int64_t n, float scale);

// inp viewed as (outer, R, inner), summed over R:  out (outer, inner) = scale * sum_r inp[o, r, i].
void sum_dim_forward(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner, float scale);
// dinp (outer, R, inner) = scale * dout[o, i]  (written).
void sum_dim_backward(float* dinp, const float* dout, int64_t outer, int64_t R, int64_t inner, float scale);

}  // namespace dl::cuda
