// test_kl_normal.cpp - KL(N(mu, exp(logvar)) || N(0, 1)), mean over batch and latent dims:
// torch.distributions golden, hand values, gradcheck, shape errors.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(KlNormal, Golden) {
  const NamedTensors g = dl::test::load_golden("kl_normal");
  Tensor mu = g.at("mu").clone().set_requires_grad(), lv = g.at("logvar").clone().set_requires_grad();
  Tensor loss = kl_normal(mu, lv);
  EXPECT_TRUE(all_close(loss, g.at("loss"), 1e-6f, 1e-5f));
  loss.backward();
  EXPECT_TRUE(all_close(mu.grad(), g.at("dmu"), 1e-6f, 1e-5f));
  EXPECT_TRUE(all_close(lv.grad(), g.at("dlogvar"), 1e-6f, 1e-5f));
}

TEST(KlNormal, HandValues) {
  EXPECT_FLOAT_EQ(kl_normal(zeros({2, 3}), zeros({2, 3})).item(), 0.0f);  // q = p
  // mu = 2, logvar = 0: 0.5 * 4 = 2 per element; mean stays 2.
  EXPECT_FLOAT_EQ(kl_normal(full({2, 3}, 2.0f), zeros({2, 3})).item(), 2.0f);
  // mu = 0, logvar = log 2: 0.5 (2 - 1 - log 2).
  EXPECT_NEAR(kl_normal(zeros({1, 1}), full({1, 1}, std::log(2.0f))).item(), 0.5f * (1.0f - std::log(2.0f)), 1e-6f);
}

TEST(KlNormal, Gradcheck) {
  Tensor mu = random_tensor({5, 7}, 1, -2, 2), lv = random_tensor({5, 7}, 2, -2, 1);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return kl_normal(in[0], in[1]); }, {mu, lv}));
}

TEST(KlNormal, Errors) {
  EXPECT_THROW(kl_normal(zeros({2, 3}), zeros({2, 4})), Error);
  EXPECT_THROW(kl_normal(zeros({2, 3}), Tensor()), Error);
}
