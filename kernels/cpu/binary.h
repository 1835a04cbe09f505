// binary.h - elementwise a op b on the CPU, with the one broadcast pattern the models need.
//
// a and out are viewed as (outer, C, inner) and b has C elements, b[c] applying to a[o, c, i]:
//   b of a's shape               -> (1, numel, 1)
//   b with one element (scalar)  -> (1, 1, numel)
//   b (C) per channel of (N, C)  -> (N, C, 1);   of (N, C, H, W) -> (N, C, H*W)
//   b (N, 1) per row of (N, D)   -> (1, N, D)
// (autograd/ops/binary.cpp maps shapes to these dims.) Backward WRITES (=) da (outer, C, inner)
// and db (C); db sums over outer and inner in a fixed order (deterministic). Null pointers skip.
// a and b are read by mul/div backward only; add/sub accept them for a uniform signature.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

void add_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner);
void add_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner);
void sub_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner);
void sub_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner);
void mul_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner);
void mul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner);
void div_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner);
void div_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner);

// out (n) = a + s;  da (n) = dout.
void add_scalar_forward(float* out, const float* a, float s, int64_t n);
void add_scalar_backward(float* da, const float* dout, float s, int64_t n);
// out (n) = a * s;  da (n) = dout * s.
void mul_scalar_forward(float* out, const float* a, float s, int64_t n);
void mul_scalar_backward(float* da, const float* dout, float s, int64_t n);

}  // namespace dl::cpu
