// test_unary.cpp - relu, sigmoid, exp, log, sqrt, square, neg: values, gradients (on inputs away
// from kinks and domain edges), and that a recorded op does not keep its own output alive.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

namespace {

using UnaryFn = Tensor (*)(const Tensor&);

// Uniform in [lo, hi) with a random sign per element when signed_ is set: keeps |x| >= lo, away
// from relu's kink at 0 (the finite-difference step is 1e-2).
Tensor away_from_zero(const Shape& shape, uint64_t seed, float lo, float hi) {
  Tensor mag = random_tensor(shape, seed, lo, hi, false);
  Tensor sign = random_tensor(shape, seed + 1, -1, 1, false);
  std::vector<float> m = mag.to_vector(), s = sign.to_vector();
  for (size_t i = 0; i < m.size(); ++i) m[i] = s[i] < 0 ? -m[i] : m[i];
  return from_vector(m, shape).set_requires_grad();
}

}  // namespace

TEST(Unary, Values) {
  Tensor x = from_vector({-2, -0.5, 0, 0.5, 3}, {5});
  EXPECT_EQ(relu(x).to_vector(), (std::vector<float>{0, 0, 0, 0.5, 3}));
  EXPECT_EQ(neg(x).to_vector(), (std::vector<float>{2, 0.5, -0.f, -0.5, -3}));
  EXPECT_EQ(square(x).to_vector(), (std::vector<float>{4, 0.25, 0, 0.25, 9}));
  EXPECT_TRUE(all_close(sigmoid(x).to_vector(),
                        {0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.95257413f}, 1e-6f, 1e-6f));
  EXPECT_TRUE(all_close(exp(x).to_vector(), {0.13533528f, 0.60653066f, 1.0f, 1.64872127f, 20.0855369f}, 1e-6f,
                        1e-6f));
  Tensor p = from_vector({0.25, 1, 4, 9}, {2, 2});
  EXPECT_TRUE(all_close(log(p).to_vector(), {-1.38629436f, 0.0f, 1.38629436f, 2.19722458f}, 1e-6f, 1e-6f));
  EXPECT_EQ(sqrt(p).to_vector(), (std::vector<float>{0.5, 1, 2, 3}));
  EXPECT_EQ(sqrt(p).shape(), p.shape());
  // sigmoid saturates without overflow or NaN.
  EXPECT_EQ(sigmoid(from_vector({-100, 100}, {2})).to_vector(), (std::vector<float>{0, 1}));
}

TEST(Unary, HandCheckedGradients) {
  Tensor x = from_vector({-1, 2}, {2}).set_requires_grad();
  relu(x).backward(from_vector({5, 7}, {2}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 7}));
  Tensor y = from_vector({4}, {1}).set_requires_grad();
  sqrt(y).backward();
  EXPECT_EQ(y.grad().item(), 0.25f);
  Tensor z = from_vector({0}, {1}).set_requires_grad();
  sigmoid(z).backward();
  EXPECT_EQ(z.grad().item(), 0.25f);
}

TEST(Unary, GradientsOddShapes) {
  const Shape shape{3, 5, 7};
  const std::pair<const char*, UnaryFn> any_sign[] = {
      {"relu", relu}, {"sigmoid", sigmoid}, {"exp", exp}, {"square", square}, {"neg", neg}};
  uint64_t seed = 100;
  for (const auto& [name, fn] : any_sign) {
    Tensor x = away_from_zero(shape, seed += 2, 0.05f, 2.0f);
    EXPECT_TRUE(gradcheck([fn](const std::vector<Tensor>& in) { return fn(in[0]); }, {x})) << name;
  }
  // log and sqrt: positive inputs away from 0.
  const std::pair<const char*, UnaryFn> positive[] = {{"log", log}, {"sqrt", sqrt}};
  for (const auto& [name, fn] : positive) {
    Tensor x = random_tensor(shape, seed += 2, 0.3f, 3.0f);
    EXPECT_TRUE(gradcheck([fn](const std::vector<Tensor>& in) { return fn(in[0]); }, {x})) << name;
  }
}

TEST(Unary, ParallelPathMatchesFormula) {
  // Above the kernels' threading threshold: every element still gets exactly its formula.
  Tensor x = random_tensor({4, 8, 96, 96}, 7, -2, 2);
  Tensor g = random_tensor(x.shape(), 8, -1, 1, false);
  Tensor y = relu(x);
  y.backward(g);
  Tensor s = sigmoid(x.detach());
  const std::vector<float> xv = x.to_vector(), yv = y.to_vector(), gv = g.to_vector(), dv = x.grad().to_vector(),
                           sv = s.to_vector();
  int64_t bad = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    bad += yv[i] != (xv[i] > 0 ? xv[i] : 0.0f);
    bad += dv[i] != (xv[i] > 0 ? gv[i] : 0.0f);
    bad += sv[i] != 1.0f / (1.0f + std::exp(-xv[i]));
  }
  EXPECT_EQ(bad, 0);
}

TEST(Unary, ChainOfOps) {
  // sqrt(exp(neg(square(x)))) = exp(-x^2 / 2): d/dx = -x exp(-x^2 / 2).
  Tensor x = from_vector({0.5, -1.5}, {2}).set_requires_grad();
  sqrt(exp(neg(square(x)))).backward(ones({2}));
  EXPECT_TRUE(all_close(x.grad().to_vector(), {-0.5f * std::exp(-0.125f), 1.5f * std::exp(-1.125f)}, 1e-6f, 1e-5f));
}

TEST(Unary, RecordedOpDoesNotKeepItsOutputAlive) {
  // The backward closure must not hold the output's TensorImpl (that would be a cycle through
  // grad_fn and leak every activation whose graph is never run backward).
  std::weak_ptr<TensorImpl> out_impl;
  Tensor x = random_tensor({4, 4}, 1);
  {
    Tensor y = sigmoid(x);
    out_impl = y.impl();
    ASSERT_TRUE(y.grad_fn() != nullptr);
  }
  EXPECT_TRUE(out_impl.expired());
}

TEST(Unary, UndefinedInputIsAnError) { EXPECT_THROW(relu(Tensor()), Error); }
