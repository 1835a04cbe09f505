// test_upsample.cpp - upsample_nearest2x: values, gradients (2x2 block sums), bad shapes.
#include <gtest/gtest.h>

#include "kernels/cpu/upsample.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/upsample.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(UpsampleNearest2x, Values) {
  Tensor x = from_vector({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3});
  Tensor y = upsample_nearest2x(x);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 6}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3,  //
                                               4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}));
}

TEST(UpsampleNearest2x, BackwardSumsEachBlock) {
  Tensor x = random_tensor({1, 1, 2, 2}, 1);
  Tensor dy = from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 1, 4, 4});
  upsample_nearest2x(x).backward(dy);
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1 + 2 + 5 + 6, 3 + 4 + 7 + 8, 9 + 10 + 13 + 14,
                                                      11 + 12 + 15 + 16}));
}

static void check_gradcheck_odd_shapes() {
  Tensor x = random_tensor({3, 2, 5, 3}, 2);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return upsample_nearest2x(in[0]); }, {x}));
  // Large enough for the OpenMP path.
  dl::test::GradcheckOptions few;
  few.max_checks_per_input = 12;  // each check re-runs the whole op
  Tensor big = random_tensor({4, 16, 64, 65}, 3);  // OpenMP path (> 256 K floats)
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return upsample_nearest2x(in[0]); }, {big}, few));
}

TEST(UpsampleNearest2x, GradcheckOddShapes) { check_gradcheck_odd_shapes(); }

TEST(UpsampleNearest2xRef, GradcheckOddShapesOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck_odd_shapes();
}

TEST(UpsampleNearest2x, BadShapes) {
  EXPECT_THROW(upsample_nearest2x(zeros({2, 3, 4})), Error);
  EXPECT_THROW(upsample_nearest2x(zeros({2, 3})), Error);
}

// Fast (kernels/cpu/upsample) against plain (kernels/ref/upsample): odd planes, 1x1 planes, and a
// shape above the OpenMP threshold (2^18 input floats). The forward copies (tolerance 0); the
// backward adds the four block terms in another grouping (atol 1e-6, rtol 1e-6).
TEST(UpsampleNearest2xRef, FastMatchesRef) {
  const int64_t shapes[][4] = {{1, 1, 1, 1}, {3, 2, 5, 3}, {2, 3, 1, 7}, {4, 16, 64, 65}};
  for (const auto& s : shapes) {
    const int64_t N = s[0], C = s[1], H = s[2], W = s[3], n_in = N * C * H * W;
    const std::vector<float> x = test::lcg_values(n_in, 51), g = test::lcg_values(4 * n_in, 52);
    std::vector<float> y_fast(4 * n_in), y_ref(4 * n_in), dx_fast(n_in, 3.0f), dx_ref(n_in, -3.0f);
    cpu::upsample_nearest2x_forward(y_fast.data(), x.data(), N, C, H, W);
    ref::upsample_nearest2x_forward(y_ref.data(), x.data(), N, C, H, W);
    EXPECT_TRUE(test::all_close(y_fast, y_ref, 0, 0)) << N << "x" << C << "x" << H << "x" << W;
    cpu::upsample_nearest2x_backward(dx_fast.data(), g.data(), N, C, H, W);
    ref::upsample_nearest2x_backward(dx_ref.data(), g.data(), N, C, H, W);
    EXPECT_TRUE(test::all_close(dx_fast, dx_ref, 1e-6f, 1e-6f)) << N << "x" << C << "x" << H << "x" << W;
  }
}
