// test_mse_loss.cpp - mean squared error: golden, hand values, gradcheck, no target gradient,
// shape errors, thread-count independence of the chunked sum.
#include <gtest/gtest.h>
#include <omp.h>

#include "kernels/cpu/mse_loss.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/mse_loss.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(MseLoss, GoldenAndHandValues) {
  const NamedTensors g = dl::test::load_golden("mse_loss");
  Tensor pred = g.at("pred").clone().set_requires_grad();
  Tensor loss = mse_loss(pred, g.at("target"));
  EXPECT_TRUE(all_close(loss, g.at("loss"), 1e-6f, 1e-5f));
  loss.backward();
  EXPECT_TRUE(all_close(pred.grad(), g.at("dpred"), 1e-6f, 1e-5f));
  EXPECT_FLOAT_EQ(mse_loss(from_vector({1, 2, 3, 4}, {2, 2}), from_vector({1, 0, 3, 0}, {2, 2})).item(), 5.0f);
}

static void check_gradcheck_only_pred() {
  Tensor p = random_tensor({3, 2, 5, 7}, 1), t = random_tensor({3, 2, 5, 7}, 2);  // t requires grad too
  EXPECT_TRUE(gradcheck([&t](const std::vector<Tensor>& in) { return mse_loss(in[0], t); }, {p}));
  Tensor loss = mse_loss(p, t);
  loss.backward();
  EXPECT_FALSE(t.grad().defined());  // the target is data
}

TEST(MseLoss, GradcheckOnlyPred) { check_gradcheck_only_pred(); }

TEST(MseLossRef, GradcheckOnlyPredOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck_only_pred();
}

TEST(MseLoss, Errors) {
  EXPECT_THROW(mse_loss(zeros({2, 3}), zeros({3, 2})), Error);
  EXPECT_THROW(mse_loss(zeros({2, 3}), Tensor()), Error);
}

TEST(MseLoss, DeterministicAcrossThreadCounts) {
  Tensor p = random_tensor({8, 3, 32, 32}, 3, -1, 1, false), t = random_tensor({8, 3, 32, 32}, 4, -1, 1, false);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const float one = mse_loss(p, t).item();
  omp_set_num_threads(2);
  const float two = mse_loss(p, t).item();
  omp_set_num_threads(saved);
  EXPECT_EQ(one, two);
}

// Fast (kernels/cpu/mse_loss: 8192-element chunks of 8 float lanes plus a double tail; backward
// parallel above 65536) against plain (kernels/ref/mse_loss: one double sum). Sizes around the
// lanes' tails, the chunk size and the thresholds. Tolerances: loss rtol 1e-6 (float lanes of at
// most 1024 terms each); dpred 0 (the same float formula).
TEST(MseLossRef, FastMatchesRef) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{9}, int64_t{8192}, int64_t{8193}, int64_t{20005},
                    int64_t{65537}}) {
    const std::vector<float> p = test::lcg_values(n, 121), t = test::lcg_values(n, 122);
    float loss_fast = 0, loss_ref = 0;
    cpu::mse_loss_forward(&loss_fast, p.data(), t.data(), n);
    ref::mse_loss_forward(&loss_ref, p.data(), t.data(), n);
    EXPECT_TRUE(all_close(std::vector<float>{loss_fast}, std::vector<float>{loss_ref}, 0, 1e-6f)) << n;
    const float dloss = 0.6f;
    std::vector<float> d_fast(n, 3.0f), d_ref(n, -3.0f);
    cpu::mse_loss_backward(d_fast.data(), &dloss, p.data(), t.data(), n);
    ref::mse_loss_backward(d_ref.data(), &dloss, p.data(), t.data(), n);
    EXPECT_TRUE(all_close(d_fast, d_ref, 0, 0)) << n;
  }
}
