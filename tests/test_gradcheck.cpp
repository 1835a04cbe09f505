// test_gradcheck.cpp - the checking harness itself (tests/gradcheck.{h,cpp}) must be able to fail:
// a wrong tape gradient, a value mismatch and a shape mismatch are each reported.
#include <gtest/gtest.h>

#include "autograd/functions.h"
#include "tests/gradcheck.h"

using dl::Tensor;
using namespace dl::test;

TEST(Gradcheck, AcceptsACorrectGradient) {
  Tensor x = random_tensor({3, 4}, 1);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return dl::mul(in[0], in[0]); }, {x}));
}

TEST(Gradcheck, RejectsAWrongGradient) {
  // x * stop_gradient(x): the tape's gradient is x, the finite difference sees 2x.
  Tensor x = random_tensor({3, 4}, 2, 0.5f, 1.0f);
  EXPECT_FALSE(gradcheck([](const std::vector<Tensor>& in) { return dl::mul(in[0], in[0].detach()); }, {x}));
}

TEST(Gradcheck, ValueComparisonsReportMismatches) {
  const std::vector<float> ref = lcg_values(100, 7);
  std::vector<float> got = ref;
  EXPECT_TRUE(all_close(got, ref));
  EXPECT_EQ(nmse(got, ref), 0.0);
  got[42] += 0.1f;
  EXPECT_FALSE(all_close(got, ref));
  EXPECT_GT(nmse(got, ref), 0.0);
  EXPECT_FALSE(all_close(std::vector<float>(99), ref));
  EXPECT_FALSE(all_close(random_tensor({2, 3}, 3), random_tensor({3, 2}, 3)));
}
