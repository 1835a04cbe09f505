// test_avgpool.cpp - global_avg_pool: values, gradients, bad shapes.
#include <gtest/gtest.h>

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

TEST(GlobalAvgPool, GradcheckOddShapes) {
  Tensor x = random_tensor({3, 5, 3, 7}, 2);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); }, {x}));
  dl::test::GradcheckOptions few;
  few.max_checks_per_input = 12;  // each check re-runs the whole op
  Tensor big = random_tensor({8, 64, 24, 24}, 3);  // OpenMP path (> 256 K floats)
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); }, {big}, few));
}

TEST(GlobalAvgPool, BadShapes) {
  EXPECT_THROW(global_avg_pool(zeros({2, 3})), Error);
  EXPECT_THROW(global_avg_pool(zeros({2, 3, 0, 4})), Error);
}
