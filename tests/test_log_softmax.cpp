// test_log_softmax.cpp - row-wise log-softmax: values, stability for huge logits, gradients, bad shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "kernels/cpu/log_softmax.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/log_softmax.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(LogSoftmax, Values) {
  // logsumexp(1, 2, 3) = 3.40760596; row 2 is row 1 shifted by 100 (same result).
  Tensor x = from_vector({1, 2, 3, 101, 102, 103}, {2, 3});
  const std::vector<float> ref = {-2.40760596f, -1.40760596f, -0.40760596f};
  std::vector<float> both = ref;
  both.insert(both.end(), ref.begin(), ref.end());
  EXPECT_TRUE(all_close(log_softmax(x).to_vector(), both, 1e-6f, 1e-6f));
}

TEST(LogSoftmax, HugeLogitsStayFinite) {
  Tensor y = log_softmax(from_vector({1000, 1000, -1000, 1e30f}, {2, 2}));
  const std::vector<float> v = y.to_vector();
  EXPECT_NEAR(v[0], -std::log(2.0f), 1e-6);
  EXPECT_NEAR(v[1], -std::log(2.0f), 1e-6);
  EXPECT_EQ(v[2], -1e30f);  // (x - max) - log(1): finite, no exp(+huge) anywhere
  EXPECT_EQ(v[3], 0.0f);
}

TEST(LogSoftmax, RowsExponentiateToOne) {
  Tensor y = log_softmax(random_tensor({512, 512}, 1, -5, 5, false));
  const std::vector<float> v = y.to_vector();
  for (int n = 0; n < 512; n += 51) {
    double s = 0;
    for (int j = 0; j < 512; ++j) s += std::exp(static_cast<double>(v[n * 512 + j]));
    EXPECT_NEAR(s, 1.0, 1e-5) << "row " << n;
  }
}

static void check_gradients() {
  for (const Shape& s : {Shape{6, 11}, Shape{1, 1}, Shape{3, 300}, Shape{256, 10}}) {
    Tensor x = random_tensor(s, 2, -3, 3);
    EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return log_softmax(in[0]); }, {x})) << s.str();
  }
  // Hand-checked: a one-hot seed on class k gives dx = e_k - softmax(x).
  Tensor x = from_vector({0, 0}, {1, 2}).set_requires_grad();
  log_softmax(x).backward(from_vector({1, 0}, {1, 2}));
  EXPECT_TRUE(all_close(x.grad().to_vector(), {0.5f, -0.5f}, 1e-7f, 1e-6f));
}

TEST(LogSoftmax, Gradients) { check_gradients(); }

TEST(LogSoftmaxRef, GradientsOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients();
}

TEST(LogSoftmax, BadShapes) {
  EXPECT_THROW(log_softmax(zeros({5})), Error);
  EXPECT_THROW(log_softmax(zeros({2, 3, 4, 4})), Error);
  EXPECT_THROW(log_softmax(zeros({3, 0})), Error);
}

// Fast (kernels/cpu/log_softmax: fast_exp, OpenMP above 2^15 elements) against plain
// (kernels/ref/log_softmax: std::exp). D around the vector width's tails, N D on both sides of
// the threshold, logits up to +-40. Both sum in double. Tolerances: out atol 2e-6, rtol 1e-6
// (fast_exp is within 2 ulp); dinp atol 1e-6, rtol 1e-5.
TEST(LogSoftmaxRef, FastMatchesRef) {
  const int64_t shapes[][2] = {{1, 1}, {6, 7}, {3, 8}, {5, 9}, {3, 300}, {256, 10}, {64, 1000}};
  for (const auto& s : shapes) {
    const int64_t N = s[0], D = s[1];
    std::vector<float> x = test::lcg_values(N * D, 111);
    for (size_t i = 0; i < x.size(); ++i) x[i] *= (i % 3 == 0) ? 40.0f : 3.0f;
    const std::vector<float> g = test::lcg_values(N * D, 112);
    std::vector<float> y_fast(N * D), y_ref(N * D), dx_fast(N * D, 3.0f), dx_ref(N * D, -3.0f);
    cpu::log_softmax_forward(y_fast.data(), x.data(), N, D);
    ref::log_softmax_forward(y_ref.data(), x.data(), N, D);
    EXPECT_TRUE(all_close(y_fast, y_ref, 2e-6f, 1e-6f)) << N << "x" << D;
    cpu::log_softmax_backward(dx_fast.data(), g.data(), y_ref.data(), N, D);
    ref::log_softmax_backward(dx_ref.data(), g.data(), y_ref.data(), N, D);
    EXPECT_TRUE(all_close(dx_fast, dx_ref, 1e-6f, 1e-5f)) << N << "x" << D;
  }
}
