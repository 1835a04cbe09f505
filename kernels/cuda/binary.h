// binary.h - CUDA twin of kernels/cpu/binary.h: the same functions and arguments, device pointers.
// Semantics (shapes, formulas, = vs +=, determinism) are documented there; kernels/cuda/binary.cu implements them.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

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

}  // namespace dl::cuda
