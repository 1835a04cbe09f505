// unary.cpp - the elementwise functions of unary.h. Each is a struct with a forward formula
// f(x) and a backward formula df(g, x, y); one pair of loops serves them all.
// relu/square/neg/sqrt vectorize; exp/log/sigmoid call libm's scalar expf/logf (glibc only
// provides vector versions under -ffast-math, which this project does not use).
#include "kernels/cpu/unary.h"

#include <cmath>

#include "kernels/cpu/relu_mask.h"

namespace dl::cpu {
namespace {

constexpr int64_t kParallelMin = 1 << 18;  // as in deterministic_sum.h: memory-bound loops

// relu as relu, add_relu and batchnorm_relu compute it on every device: a NaN passes through (as
// PyTorch's relu), and the gradient is 0 where y is NaN. x < 0 ? 0 : x vectorizes (a vector
// compare and blend; GCC may not use maxps, whose NaN rule depends on the operand order).
struct Relu {
  static float f(float x) { return x < 0.0f ? 0.0f : x; }
  static float df(float g, float, float y) { return keep_if_positive(y, g); }
};
struct Sigmoid {
  static float f(float x) { return 1.0f / (1.0f + std::exp(-x)); }
  static float df(float g, float, float y) { return g * y * (1.0f - y); }
};
struct Exp {
  static float f(float x) { return std::exp(x); }
  static float df(float g, float, float y) { return g * y; }
};
struct Log {
  static float f(float x) { return std::log(x); }
  static float df(float g, float x, float) { return g / x; }
};
struct Sqrt {
  static float f(float x) { return std::sqrt(x); }
  static float df(float g, float, float y) { return g * 0.5f / y; }
};
struct Square {
  static float f(float x) { return x * x; }
  static float df(float g, float x, float) { return 2.0f * g * x; }
};
struct Neg {
  static float f(float x) { return -x; }
  static float df(float g, float, float) { return -g; }
};

template <typename F>
void unary_forward(float* out, const float* inp, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = F::f(inp[i]);
}

template <typename F>
void unary_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n) {
  if (!dinp) return;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) dinp[i] = F::df(dout[i], inp[i], out[i]);
}

}  // namespace

#define DL_UNARY_DEFINE(name, F)                                                                        \
  void name##_forward(float* out, const float* inp, int64_t n) { unary_forward<F>(out, inp, n); }       \
  void name##_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n) { \
    unary_backward<F>(dinp, dout, inp, out, n);                                                         \
  }

DL_UNARY_DEFINE(relu, Relu)
DL_UNARY_DEFINE(sigmoid, Sigmoid)
DL_UNARY_DEFINE(exp, Exp)
DL_UNARY_DEFINE(log, Log)
DL_UNARY_DEFINE(sqrt, Sqrt)
DL_UNARY_DEFINE(square, Square)
DL_UNARY_DEFINE(neg, Neg)

}  // namespace dl::cpu
