// test_cross_entropy.cpp - fused softmax + cross-entropy: PyTorch goldens, hand values,
// gradcheck, numerical stability with large logits, label shape/range errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "kernels/cpu/cross_entropy.h"
#include "kernels/cpu/fast_exp.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/cross_entropy.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(CrossEntropy, Golden) {
  const NamedTensors g = dl::test::load_golden("cross_entropy");
  for (const std::string tag : {"small", "k10"}) {
    SCOPED_TRACE(tag);
    Tensor logits = g.at(tag + "_logits").clone().set_requires_grad();
    Tensor loss = cross_entropy(logits, g.at(tag + "_labels"));
    EXPECT_EQ(loss.shape(), Shape{});
    EXPECT_TRUE(all_close(loss, g.at(tag + "_loss"), 1e-6f, 1e-5f));
    loss.backward();
    EXPECT_TRUE(all_close(logits.grad(), g.at(tag + "_dlogits"), 1e-6f, 1e-5f));
  }
}

TEST(CrossEntropy, HandValuesAndStability) {
  // Uniform logits: loss = log K whatever the label.
  EXPECT_NEAR(cross_entropy(zeros({3, 4}), from_vector_i32({0, 1, 3}, {3})).item(), std::log(4.0f), 1e-6f);
  // Huge logits must not overflow: row [1000, 0] with label 0 -> log(1 + e^-1000) = 0.
  Tensor big = from_vector({1000, 0, 0, 1000}, {2, 2});
  EXPECT_NEAR(cross_entropy(big, from_vector_i32({0, 0}, {2})).item(), 500.0f, 1e-3f);
  // The seed gradient scales dlogits.
  Tensor x = random_tensor({4, 3}, 1);
  Tensor loss = cross_entropy(x, from_vector_i32({2, 0, 1, 2}, {4}));
  loss.backward(full({}, 3.0f));
  const std::vector<float> d = x.grad().to_vector();
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(d[i * 3] + d[i * 3 + 1] + d[i * 3 + 2], 0.0f, 1e-6f);  // rows sum to 0
}

static void check_gradcheck() {
  Tensor x = random_tensor({7, 11}, 2, -3, 3);
  Tensor labels = from_vector_i32({0, 10, 5, 3, 3, 9, 1}, {7});
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return cross_entropy(in[0], labels); }, {x}));
}

TEST(CrossEntropy, Gradcheck) { check_gradcheck(); }

TEST(CrossEntropyRef, GradcheckOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck();
}

TEST(CrossEntropy, Errors) {
  Tensor x = zeros({3, 5});
  EXPECT_THROW(cross_entropy(x, from_vector_i32({0, 1}, {2})), Error);            // labels shape
  EXPECT_THROW(cross_entropy(x, from_vector({0, 1, 2}, {3})), Error);             // float labels
  EXPECT_THROW(cross_entropy(zeros({3, 5, 1}), from_vector_i32({0, 1, 2}, {3})), Error);
  EXPECT_THROW(cross_entropy(x, from_vector_i32({0, -1, 2}, {3})), Error);        // negative
  try {
    cross_entropy(x, from_vector_i32({0, 7, 2}, {3}));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("label 7"), std::string::npos) << m;
    EXPECT_NE(m.find("K = 5"), std::string::npos) << m;
  }
}

// The vectorizable exp behind cross_entropy and nt_xent (kernels/cpu/fast_exp.h).
TEST(CrossEntropy, FastExpAccuracy) {
  double worst = 0.0;
  for (float x = -87.0f; x < 87.0f; x += 0.0137f) {
    const double e = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(dl::cpu::fast_exp(x) - e) / e);
  }
  EXPECT_LT(worst, 2.5e-7);  // ~2 ulp
  EXPECT_EQ(dl::cpu::fast_exp(0.0f), 1.0f);
  EXPECT_EQ(dl::cpu::fast_exp(-INFINITY), 0.0f);
  EXPECT_EQ(dl::cpu::fast_exp(-100.0f), 0.0f);
  EXPECT_TRUE(std::isnan(dl::cpu::fast_exp(NAN)));
  EXPECT_TRUE(std::isfinite(dl::cpu::fast_exp(1000.0f)));
}

// Fast (kernels/cpu/cross_entropy: fast_exp, 8-lane float sums) against plain
// (kernels/ref/cross_entropy: std::exp, double sums). K around the 8-lane loops' tails, N K
// around the OpenMP threshold (32768), logits up to +-32. Tolerances: loss and lse rtol 1e-5,
// atol 1e-5; dlogits (of size ~1/N) atol 1e-6, rtol 1e-5.
TEST(CrossEntropyRef, FastMatchesRef) {
  const int64_t shapes[][2] = {{1, 1}, {3, 7}, {5, 8}, {4, 9}, {7, 11}, {64, 10}, {400, 100}, {2, 1000}};
  unsigned seed = 80;
  for (const auto& s : shapes) {
    const int64_t N = s[0], K = s[1];
    std::vector<float> x = test::lcg_values(N * K, ++seed);
    for (size_t i = 0; i < x.size(); ++i) x[i] *= (i % 5 == 0) ? 32.0f : 4.0f;
    std::vector<int32_t> labels(N);
    for (int64_t i = 0; i < N; ++i) labels[i] = static_cast<int32_t>((i * 7 + 3) % K);
    float loss_fast = 0, loss_ref = 0;
    std::vector<float> lse_fast(N), lse_ref(N), dx_fast(N * K, 5.0f), dx_ref(N * K, -5.0f);
    cpu::cross_entropy_forward(&loss_fast, lse_fast.data(), x.data(), labels.data(), N, K);
    ref::cross_entropy_forward(&loss_ref, lse_ref.data(), x.data(), labels.data(), N, K);
    EXPECT_TRUE(all_close(std::vector<float>{loss_fast}, std::vector<float>{loss_ref}, 1e-5f, 1e-5f)) << N << "x" << K;
    EXPECT_TRUE(all_close(lse_fast, lse_ref, 1e-5f, 1e-5f)) << N << "x" << K;
    const float dloss = 1.7f;
    cpu::cross_entropy_backward(dx_fast.data(), &dloss, x.data(), labels.data(), lse_ref.data(), N, K);
    ref::cross_entropy_backward(dx_ref.data(), &dloss, x.data(), labels.data(), lse_ref.data(), N, K);
    EXPECT_TRUE(all_close(dx_fast, dx_ref, 1e-6f, 1e-5f)) << N << "x" << K;
  }
}
