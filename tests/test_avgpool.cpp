// test_avgpool.cpp - global_avg_pool: values, gradients, bad shapes.
#include <gtest/gtest.h>

#include "kernels/cpu/avgpool.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/avgpool.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(GlobalAvgPool, Values) {
  Tensor x = from_vector({1, 2, 3, 4, 10, 20, 30, 40, -1, -1, -1, -5}, {1, 3, 2, 2});
  Tensor y = global_avg_pool(x);
  EXPECT_EQ(y.shape(), (Shape{1, 3}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{2.5f, 25.0f, -2.0f}));
}

TEST(GlobalAvgPool, BackwardSpreadsEvenly) {
  Tensor x = random_tensor({2, 1, 2, 2}, 1);
  global_avg_pool(x).backward(from_vector({4, -8}, {2, 1}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1, 1, 1, 1, -2, -2, -2, -2}));
}

static void check_gradcheck_odd_shapes() {
  Tensor x = random_tensor({3, 5, 3, 7}, 2);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); }, {x}));
  dl::test::GradcheckOptions few;
  few.max_checks_per_input = 12;  // each check re-runs the whole op
  Tensor big = random_tensor({8, 64, 24, 24}, 3);  // OpenMP path (> 256 K floats)
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); }, {big}, few));
}

TEST(GlobalAvgPool, GradcheckOddShapes) { check_gradcheck_odd_shapes(); }

TEST(GlobalAvgPoolRef, GradcheckOddShapesOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck_odd_shapes();
}

TEST(GlobalAvgPool, BadShapes) {
  EXPECT_THROW(global_avg_pool(zeros({2, 3})), Error);
  EXPECT_THROW(global_avg_pool(zeros({2, 3, 0, 4})), Error);
}

// Fast (kernels/cpu/avgpool) against plain (kernels/ref/avgpool): odd planes, a 1x1 plane, and a
// shape above the OpenMP threshold (2^18 input floats). The fast forward sums a plane in float
// (vectorized), the plain one in double: rtol 1e-5, atol 1e-6 (means of values in [-1, 1)).
// The backward is dout / (H W) against dout * (1 / (H W)): rtol 1e-6.
TEST(GlobalAvgPoolRef, FastMatchesRef) {
  const int64_t shapes[][4] = {{1, 1, 1, 1}, {3, 5, 3, 7}, {2, 3, 1, 1}, {2, 7, 9, 9}, {8, 64, 24, 24}};
  for (const auto& s : shapes) {
    const int64_t N = s[0], C = s[1], H = s[2], W = s[3];
    const std::vector<float> x = test::lcg_values(N * C * H * W, 41), g = test::lcg_values(N * C, 42);
    std::vector<float> y_fast(N * C), y_ref(N * C), dx_fast(N * C * H * W, 3.0f), dx_ref(N * C * H * W, -3.0f);
    cpu::global_avg_pool_forward(y_fast.data(), x.data(), N, C, H, W);
    ref::global_avg_pool_forward(y_ref.data(), x.data(), N, C, H, W);
    EXPECT_TRUE(test::all_close(y_fast, y_ref, 1e-6f, 1e-5f)) << N << "x" << C << "x" << H << "x" << W;
    cpu::global_avg_pool_backward(dx_fast.data(), g.data(), N, C, H, W);
    ref::global_avg_pool_backward(dx_ref.data(), g.data(), N, C, H, W);
    EXPECT_TRUE(test::all_close(dx_fast, dx_ref, 0, 1e-6f)) << N << "x" << C << "x" << H << "x" << W;
  }
}
