// test_kl_normal.cpp - KL(N(mu, exp(logvar)) || N(0, 1)), mean over batch and latent dims:
// torch.distributions golden, hand values, gradcheck, shape errors.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/kl_normal.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/kl_normal.h"
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

static void check_gradcheck() {
  Tensor mu = random_tensor({5, 7}, 1, -2, 2), lv = random_tensor({5, 7}, 2, -2, 1);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return kl_normal(in[0], in[1]); }, {mu, lv}));
}

TEST(KlNormal, Gradcheck) { check_gradcheck(); }

TEST(KlNormalRef, GradcheckOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck();
}

TEST(KlNormal, Errors) {
  EXPECT_THROW(kl_normal(zeros({2, 3}), zeros({2, 4})), Error);
  EXPECT_THROW(kl_normal(zeros({2, 3}), Tensor()), Error);
}

// Fast (kernels/cpu/kl_normal: 8192-element chunks, parallel above one chunk; backward parallel
// above 65536) against plain (kernels/ref/kl_normal: one double sum). Sizes around both
// thresholds. Tolerances: loss rtol 1e-6 (both sum in double), gradients 0 (the same float
// formula per element); a null gradient is skipped, the other still written.
TEST(KlNormalRef, FastMatchesRef) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8191}, int64_t{8193}, int64_t{3 * 8192 + 5}, int64_t{65537}}) {
    std::vector<float> mu = test::lcg_values(n, 91), lv = test::lcg_values(n, 92);
    for (float& v : mu) v *= 2.0f;
    for (float& v : lv) v = 1.5f * v - 0.5f;
    float loss_fast = 0, loss_ref = 0;
    cpu::kl_normal_forward(&loss_fast, mu.data(), lv.data(), n);
    ref::kl_normal_forward(&loss_ref, mu.data(), lv.data(), n);
    EXPECT_TRUE(all_close(std::vector<float>{loss_fast}, std::vector<float>{loss_ref}, 0, 1e-6f)) << n;
    const float dloss = -0.8f;
    std::vector<float> dmu_fast(n, 3.0f), dmu_ref(n, -3.0f), dlv_fast(n, 3.0f), dlv_ref(n, -3.0f);
    cpu::kl_normal_backward(dmu_fast.data(), dlv_fast.data(), &dloss, mu.data(), lv.data(), n);
    ref::kl_normal_backward(dmu_ref.data(), dlv_ref.data(), &dloss, mu.data(), lv.data(), n);
    EXPECT_TRUE(all_close(dmu_fast, dmu_ref, 0, 0)) << n;
    EXPECT_TRUE(all_close(dlv_fast, dlv_ref, 0, 0)) << n;
    std::vector<float> dlv_only(n, 9.0f);
    ref::kl_normal_backward(nullptr, dlv_only.data(), &dloss, mu.data(), lv.data(), n);
    EXPECT_EQ(dlv_only, dlv_ref) << n;
  }
  float loss = 1.0f;
  ref::kl_normal_forward(&loss, nullptr, nullptr, 0);  // empty: 0, as the fast kernel
  EXPECT_EQ(loss, 0.0f);
}
