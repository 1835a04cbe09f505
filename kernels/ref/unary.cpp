// unary.cpp - see unary.h for the formulas; one forward and one backward loop per function.
#include "kernels/ref/unary.h"

#include <cmath>

namespace dl::ref {

// relu: y = 0 if x < 0 else x (a NaN input stays NaN);  dx = g if y > 0 else 0 (0 where y is NaN).
void relu_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = inp[i] < 0.0f ? 0.0f : inp[i];
}
void relu_backward(float* dinp, const float* dout, const float*, const float* out, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

// sigmoid: y = 1 / (1 + exp(-x));  dx = g y (1 - y).
void sigmoid_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + std::exp(-inp[i]));
}
void sigmoid_backward(float* dinp, const float* dout, const float*, const float* out, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = dout[i] * out[i] * (1.0f - out[i]);
}

// exp: y = exp(x);  dx = g y.
void exp_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::exp(inp[i]);
}
void exp_backward(float* dinp, const float* dout, const float*, const float* out, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = dout[i] * out[i];
}

// log: y = ln(x);  dx = g / x.
void log_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::log(inp[i]);
}
void log_backward(float* dinp, const float* dout, const float* inp, const float*, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = dout[i] / inp[i];
}

// sqrt: y = sqrt(x);  dx = g / (2 y).
void sqrt_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(inp[i]);
}
void sqrt_backward(float* dinp, const float* dout, const float*, const float* out, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = dout[i] / (2.0f * out[i]);
}

// square: y = x^2;  dx = 2 g x.
void square_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = inp[i] * inp[i];
}
void square_backward(float* dinp, const float* dout, const float* inp, const float*, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = 2.0f * dout[i] * inp[i];
}

// neg: y = -x;  dx = -g.
void neg_forward(float* out, const float* inp, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = -inp[i];
}
void neg_backward(float* dinp, const float* dout, const float*, const float*, int64_t n) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = -dout[i];
}

}  // namespace dl::ref
