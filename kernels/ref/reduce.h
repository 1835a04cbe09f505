// reduce.h - plain sums over all elements or over one dimension; mean = sum * (1 / count), passed
// in as `scale`. Fast twin: kernels/cpu/reduce.h (same arguments; blocked, parallel sums).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

// out (1) = scale * sum_i inp[i];  inp (n).
void sum_all_forward(float* out, const float* inp, int64_t n, float scale);
// dinp (n) = scale * dout[0], written (=); null dinp is skipped.
void sum_all_backward(float* dinp, const float* dout, int64_t n, float scale);

// inp viewed as (outer, R, inner), summed over R:  out (outer, inner) = scale * sum_r inp[o, r, i].
void sum_dim_forward(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner, float scale);
// dinp (outer, R, inner) = scale * dout[o, i], written (=); null dinp is skipped.
void sum_dim_backward(float* dinp, const float* dout, int64_t outer, int64_t R, int64_t inner, float scale);

}  // namespace dl::ref
