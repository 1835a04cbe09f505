// unary.h - plain elementwise functions y = f(x), n floats each.
// Fast twin: kernels/cpu/unary.h (same arguments). Every backward WRITES (=) dinp = dout f'(x)
// (a null dinp is skipped), from whichever of x = inp or y = out gives the simpler formula:
//   relu    y = x > 0 ? x : 0 (NaN -> 0)   dx = g [y > 0]
//   sigmoid y = 1 / (1 + e^-x)             dx = g y (1 - y)
//   exp     y = e^x                        dx = g y
//   log     y = ln x                       dx = g / x
//   sqrt    y = sqrt x                     dx = g / (2 y)
//   square  y = x^2                        dx = 2 g x
//   neg     y = -x                         dx = -g
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

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

}  // namespace dl::ref
