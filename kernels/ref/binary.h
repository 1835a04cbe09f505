// binary.h - plain elementwise a op b with the one broadcast pattern the models need.
// Fast twin: kernels/cpu/binary.h (same arguments; it picks a loop per layout and adds OpenMP).
//
// a, out and dout are viewed as (outer, C, inner) and b has C elements: b[c] applies to
// a[o, c, i]. (b of a's shape is (1, n, 1); a scalar b is (1, 1, n); a per-channel b of
// (N, C, H, W) is (N, C, H*W); a per-row b (N, 1) of (N, D) is (1, N, D).)
// Backward WRITES (=) da (outer, C, inner) and db (C); a null da or db is skipped.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

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

// out (n) = a + s;  da (n) = dout (a null da is skipped).
void add_scalar_forward(float* out, const float* a, float s, int64_t n);
void add_scalar_backward(float* da, const float* dout, float s, int64_t n);
// out (n) = a * s;  da (n) = dout * s (a null da is skipped).
void mul_scalar_forward(float* out, const float* a, float s, int64_t n);
void mul_scalar_backward(float* da, const float* dout, float s, int64_t n);

}  // namespace dl::ref
