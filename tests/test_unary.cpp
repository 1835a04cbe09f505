// test_unary.cpp - relu, sigmoid, exp, log, sqrt, square, neg: values, gradients (on inputs away
// from kinks and domain edges), and that a recorded op does not keep its own output alive.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "kernels/cpu/unary.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/unary.h"
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

// gradcheck of every function on (3, 5, 7), with whichever CPU kernels are selected.
static void check_gradients_odd_shapes() {
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

TEST(Unary, GradientsOddShapes) { check_gradients_odd_shapes(); }

TEST(UnaryRef, GradientsOddShapesOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients_odd_shapes();
}

TEST(Unary, ParallelPathMatchesFormula) {
  // Above the kernels' threading threshold: every element still gets exactly its formula.
  Tensor x = random_tensor({4, 8, 96, 96}, 7, -2, 2);
  Tensor g = random_tensor(x.shape(), 8, -1, 1, false);
  Tensor y = relu(x);
  y.backward(g);
  Tensor s = sigmoid(x.detach());
  const std::vector<float> xv = x.to_vector(), gv = g.to_vector();
  const int64_t n = x.numel();
  std::vector<float> ref_y(n), ref_dx(n), ref_s(n);
  ref::relu_forward(ref_y.data(), xv.data(), n);
  ref::relu_backward(ref_dx.data(), gv.data(), xv.data(), ref_y.data(), n);
  ref::sigmoid_forward(ref_s.data(), xv.data(), n);
  EXPECT_TRUE(all_close(y.to_vector(), ref_y, 0, 0));
  EXPECT_TRUE(all_close(x.grad().to_vector(), ref_dx, 0, 0));
  EXPECT_TRUE(all_close(s.to_vector(), ref_s, 0, 0));
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

// Fast (kernels/cpu/unary) against plain (kernels/ref/unary), kernel level. Sizes cover the
// vector loops' tails (1, 7, 8, 9, 33) and the OpenMP threshold (2^18 elements). Both sides run
// the same float formula per element, so the tolerance is 0 (bitwise; NaN must match NaN).
namespace {

using UnaryForward = void (*)(float*, const float*, int64_t);
using UnaryBackward = void (*)(float*, const float*, const float*, const float*, int64_t);
struct UnaryKernels {
  const char* name;
  UnaryForward fast_fwd, ref_fwd;
  UnaryBackward fast_bwd, ref_bwd;
  bool positive_only;  // log, sqrt
};

const UnaryKernels kUnaryKernels[] = {
    {"relu", cpu::relu_forward, ref::relu_forward, cpu::relu_backward, ref::relu_backward, false},
    {"sigmoid", cpu::sigmoid_forward, ref::sigmoid_forward, cpu::sigmoid_backward, ref::sigmoid_backward, false},
    {"exp", cpu::exp_forward, ref::exp_forward, cpu::exp_backward, ref::exp_backward, false},
    {"log", cpu::log_forward, ref::log_forward, cpu::log_backward, ref::log_backward, true},
    {"sqrt", cpu::sqrt_forward, ref::sqrt_forward, cpu::sqrt_backward, ref::sqrt_backward, true},
    {"square", cpu::square_forward, ref::square_forward, cpu::square_backward, ref::square_backward, false},
    {"neg", cpu::neg_forward, ref::neg_forward, cpu::neg_backward, ref::neg_backward, false},
};

// Equal bits, or both NaN.
::testing::AssertionResult same_values(const std::vector<float>& got, const std::vector<float>& want) {
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::isnan(got[i]) && std::isnan(want[i])) && std::memcmp(&got[i], &want[i], sizeof(float)) != 0)
      return ::testing::AssertionFailure() << "[" << i << "] " << got[i] << " vs " << want[i];
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(UnaryRef, FastMatchesRefAcrossSizes) {
  for (const UnaryKernels& k : kUnaryKernels)
    for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{9}, int64_t{33}, (int64_t{1} << 18) + 5}) {
      std::vector<float> x = test::lcg_values(n, 11), g = test::lcg_values(n, 12);
      for (float& v : x) v = k.positive_only ? 0.05f + 2.0f * std::fabs(v) : 4.0f * v;
      std::vector<float> y_fast(n), y_ref(n), dx_fast(n, 7.0f), dx_ref(n, -7.0f);
      k.fast_fwd(y_fast.data(), x.data(), n);
      k.ref_fwd(y_ref.data(), x.data(), n);
      EXPECT_TRUE(same_values(y_fast, y_ref)) << k.name << " forward n=" << n;
      k.fast_bwd(dx_fast.data(), g.data(), x.data(), y_ref.data(), n);
      k.ref_bwd(dx_ref.data(), g.data(), x.data(), y_ref.data(), n);
      EXPECT_TRUE(same_values(dx_fast, dx_ref)) << k.name << " backward (written, not added) n=" << n;
      k.fast_bwd(nullptr, g.data(), x.data(), y_ref.data(), n);  // a null gradient is skipped
      k.ref_bwd(nullptr, g.data(), x.data(), y_ref.data(), n);
    }
}

TEST(UnaryRef, ReluSpecialValuesMatch) {
  // Fast and plain agree on NaN, infinities and signed zeros; the gradient passes only where y > 0
  // (NaN, -0 and -inf outputs block it).
  const std::vector<float> x = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-45f, -1e-45f, 2.0f};
  const std::vector<float> g = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, NAN, NAN, -0.0f};
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> y_fast(n), y_ref(n), dx_fast(n), dx_ref(n);
  cpu::relu_forward(y_fast.data(), x.data(), n);
  ref::relu_forward(y_ref.data(), x.data(), n);
  EXPECT_TRUE(same_values(y_fast, y_ref));
  // Backward from the inputs themselves as y, so NaN and -0 outputs are exercised.
  cpu::relu_backward(dx_fast.data(), g.data(), x.data(), x.data(), n);
  ref::relu_backward(dx_ref.data(), g.data(), x.data(), x.data(), n);
  EXPECT_TRUE(same_values(dx_fast, dx_ref));
}
