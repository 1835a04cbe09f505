// test_upsample.cpp - upsample_nearest2x: values, gradients (2x2 block sums), bad shapes.
#include <gtest/gtest.h>

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

TEST(UpsampleNearest2x, GradcheckOddShapes) {
  Tensor x = random_tensor({3, 2, 5, 3}, 2);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return upsample_nearest2x(in[0]); }, {x}));
  // Large enough for the OpenMP path.
  dl::test::GradcheckOptions few;
  few.max_checks_per_input = 12;  // each check re-runs the whole op
  Tensor big = random_tensor({4, 16, 64, 65}, 3);  // OpenMP path (> 256 K floats)
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return upsample_nearest2x(in[0]); }, {big}, few));
}

TEST(UpsampleNearest2x, BadShapes) {
  EXPECT_THROW(upsample_nearest2x(zeros({2, 3, 4})), Error);
  EXPECT_THROW(upsample_nearest2x(zeros({2, 3})), Error);
}
