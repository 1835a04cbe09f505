// relu_nan_checks.h - the one NaN rule of relu, add_relu and batchnorm_relu, checked through the
// autograd ops on a given device (tests/test_relu_nan.cpp: CPU fast and ref kernels;
// tests/cuda/test_cuda_relu_nan.cpp: CUDA). The rule, as PyTorch's relu: the forward lets a NaN
// through (y = x < 0 ? 0 : x, so a diverging run stays visible to the trainer's loss check), and
// the gradient is 0 where the output is NaN or <= 0.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "autograd/functions.h"

namespace dl::test {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// 37 values (a vector body and a tail): i % 4 = 0: -1.5, 1: 0, 2: NaN, 3: i + 1.
inline std::vector<float> relu_nan_input() {
  std::vector<float> x(37);
  for (size_t i = 0; i < x.size(); ++i) x[i] = i % 4 == 0 ? -1.5f : i % 4 == 1 ? 0.0f : i % 4 == 2 ? kNaN : i + 1.0f;
  return x;
}

// y = relu(x) and dx for dL/dy = 1: NaN where x is NaN, else max(x, 0); dx = 1 only where y > 0.
inline void expect_relu_rule(const std::vector<float>& x, const Tensor& y, const Tensor& dx) {
  const std::vector<float> yv = y.to_vector(), dv = dx.to_vector();
  ASSERT_EQ(yv.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) {
      EXPECT_TRUE(std::isnan(yv[i])) << "forward at " << i << ": NaN must pass through, got " << yv[i];
    } else {
      EXPECT_EQ(yv[i], x[i] < 0 ? 0.0f : x[i]) << "forward at " << i;
    }
    EXPECT_EQ(dv[i], x[i] > 0 ? 1.0f : 0.0f) << "gradient at " << i << " (x = " << x[i] << ")";
  }
}

inline void check_relu_nan(Device d) {
  const std::vector<float> x = relu_nan_input();
  Tensor t = from_vector(x, {int64_t(x.size())}).to(d).set_requires_grad(true);
  const Tensor y = relu(t);
  sum(y).backward();
  expect_relu_rule(x, y, t.grad());
}

// add_relu(a, b) with b = 0.25 everywhere and a = x - 0.25: the same sums as relu's input.
inline void check_add_relu_nan(Device d) {
  const std::vector<float> x = relu_nan_input();
  std::vector<float> a = x;
  for (float& v : a) v -= 0.25f;
  const int64_t n = int64_t(x.size());
  Tensor ta = from_vector(a, {n}).to(d).set_requires_grad(true);
  Tensor tb = full({n}, 0.25f, d).set_requires_grad(true);
  const Tensor y = add_relu(ta, tb);
  sum(y).backward();
  expect_relu_rule(x, y, ta.grad());
  expect_relu_rule(x, y, tb.grad());
}

// batchnorm_relu on (2, 2, 2, 3): channel 1's bias is NaN, so its outputs are all NaN, and all of
// its gradients (dx, dweight, dbias) are 0; channel 0 is untouched (finite, some gradient). A NaN
// input makes its whole channel NaN (the batch mean is NaN).
inline void check_batchnorm_relu_nan(Device d) {
  const int64_t N = 2, C = 2, S = 6;
  std::vector<float> xv(N * C * S);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = std::sin(0.7f * float(i)) * 2.0f;
  Tensor x = from_vector(xv, {N, C, 2, 3}).to(d).set_requires_grad(true);
  Tensor w = from_vector({1.5f, 0.5f}, {C}).to(d).set_requires_grad(true);
  Tensor b = from_vector({0.1f, kNaN}, {C}).to(d).set_requires_grad(true);
  Tensor rm = zeros({C}, d), rv = ones({C}, d);
  const Tensor y = batchnorm_relu(x, w, b, rm, rv, true, 0.1f, 1e-5f);
  sum(y).backward();
  const std::vector<float> yv = y.to_vector(), dx = x.grad().to_vector();
  const std::vector<float> dw = w.grad().to_vector(), db = b.grad().to_vector();
  float channel0_grad = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < S; ++s) {
      const int64_t i0 = (n * C + 0) * S + s, i1 = (n * C + 1) * S + s;
      EXPECT_FALSE(std::isnan(yv[i0])) << "channel 0 at " << i0;
      EXPECT_GE(yv[i0], 0.0f);
      channel0_grad += std::fabs(dx[i0]);
      EXPECT_TRUE(std::isnan(yv[i1])) << "channel 1 (NaN bias) at " << i1 << " gave " << yv[i1];
      EXPECT_EQ(dx[i1], 0.0f) << "dx where the output is NaN, at " << i1;
    }
  EXPECT_GT(channel0_grad, 0.0f);
  EXPECT_EQ(dw[1], 0.0f);
  EXPECT_EQ(db[1], 0.0f);
  EXPECT_FALSE(std::isnan(dw[0]) || std::isnan(db[0]));

  xv[3] = kNaN;  // channel 0 of sample 0
  const Tensor x2 = from_vector(xv, {N, C, 2, 3}).to(d);
  const Tensor w2 = from_vector({1.5f, 0.5f}, {C}).to(d), b2 = from_vector({0.1f, 0.2f}, {C}).to(d);
  Tensor rm2 = zeros({C}, d), rv2 = ones({C}, d);
  const std::vector<float> y2 = batchnorm_relu(x2, w2, b2, rm2, rv2, true, 0.1f, 1e-5f).to_vector();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t s = 0; s < S; ++s) {
      EXPECT_TRUE(std::isnan(y2[(n * C + 0) * S + s])) << "channel 0 holds a NaN input";
      EXPECT_FALSE(std::isnan(y2[(n * C + 1) * S + s])) << "channel 1 is finite";
    }
}

}  // namespace dl::test
