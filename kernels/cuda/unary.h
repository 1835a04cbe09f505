// unary.h - CUDA twin of kernels/cpu/unary.h: the same functions and arguments, device pointers.
// Semantics (shapes, formulas, = vs +=, determinism) are documented there; kernels/cuda/unary.cu implements them.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

void relu_forward(float* out, const float* inp, int64_t n);
void relu_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void sigmoid_forward(float* out, const float* inp, int64_t n);
void sigmoid_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void exp_forward(float* out, const float* inp, int64_t n);
void exp_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void log_forward(float* out, const float* inp, int64_t n);
void log_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void sqrt_forward(float* out, const float* inp, int64_t n);
void sqrt_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void square_forward(float* out, const float* inp, int64_t n);
void square_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);
void neg_forward(float* out, const float* inp, int64_t n);
void neg_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n);

}  // namespace dl::cuda
