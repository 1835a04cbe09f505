// test_batchnorm.cpp - batchnorm: PyTorch goldens (train output, running-stat update, gradients,
// eval mode, eps=10 as the reference's MLP heads use), gradcheck on (N, C) and odd (N, C, H, W),
// errors, and bitwise determinism across OpenMP thread counts.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <utility>
#include <vector>

#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

namespace {

void check_golden(const std::string& name) {
  SCOPED_TRACE(name);
  const NamedTensors g = dl::test::load_golden(name);
  const float eps = std::stof(g.metadata.at("eps")), momentum = std::stof(g.metadata.at("momentum"));
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "train" : "eval");
    const std::string mode = training ? "train" : "eval";
    Tensor x = g.at("x").clone().set_requires_grad(), w = g.at("weight").clone().set_requires_grad();
    Tensor b = g.at("bias").clone().set_requires_grad();
    Tensor rm = g.at("running_mean_in").clone(), rv = g.at("running_var_in").clone();
    Tensor y = batchnorm(x, w, b, rm, rv, training, momentum, eps);
    EXPECT_TRUE(all_close(y, g.at("out_" + mode), 1e-5f, 1e-4f));
    if (training) {
      EXPECT_TRUE(all_close(rm, g.at("running_mean_out"), 1e-6f, 1e-5f));
      EXPECT_TRUE(all_close(rv, g.at("running_var_out"), 1e-6f, 1e-5f));
    } else {  // eval leaves the running stats alone
      EXPECT_EQ(rm.to_vector(), g.at("running_mean_in").to_vector());
      EXPECT_EQ(rv.to_vector(), g.at("running_var_in").to_vector());
    }
    y.backward(g.at("dout"));
    EXPECT_TRUE(all_close(x.grad(), g.at("dx_" + mode), 1e-5f, 1e-4f));
    EXPECT_TRUE(all_close(w.grad(), g.at("dweight_" + mode), 1e-5f, 1e-4f));
    EXPECT_TRUE(all_close(b.grad(), g.at("dbias_" + mode), 1e-5f, 1e-4f));
  }
}

}  // namespace

TEST(Batchnorm, Golden2d) { check_golden("batchnorm_2d"); }
TEST(Batchnorm, Golden4d) { check_golden("batchnorm_4d"); }
TEST(Batchnorm, GoldenEps10) { check_golden("batchnorm_eps10"); }

TEST(Batchnorm, TrainOutputIsNormalizedAndRunningStatsUpdate) {
  // One channel, values 1..4: mean 2.5, biased var 1.25, unbiased var 5/3.
  Tensor x = from_vector({1, 2, 3, 4}, {4, 1});
  Tensor w = ones({1}), b = zeros({1}), rm = zeros({1}), rv = ones({1});
  Tensor y = batchnorm(x, w, b, rm, rv, true, 0.1f, 0.0f);
  const float r = 1.0f / std::sqrt(1.25f);
  EXPECT_TRUE(all_close(y.to_vector(), {-1.5f * r, -0.5f * r, 0.5f * r, 1.5f * r}));
  EXPECT_NEAR(rm.item(), 0.25f, 1e-6f);                        // 0.9 * 0 + 0.1 * 2.5
  EXPECT_NEAR(rv.item(), 0.9f + 0.1f * 5.0f / 3.0f, 1e-6f);   // unbiased variance
  // A second step keeps averaging.
  batchnorm(x, w, b, rm, rv, true, 0.1f, 0.0f);
  EXPECT_NEAR(rm.item(), 0.9f * 0.25f + 0.25f, 1e-6f);
  // Momentum 1 copies the batch stats; momentum 0 freezes them.
  Tensor rm1 = zeros({1}), rv1 = zeros({1});
  batchnorm(x, w, b, rm1, rv1, true, 1.0f, 1e-5f);
  EXPECT_NEAR(rm1.item(), 2.5f, 1e-6f);
  EXPECT_NEAR(rv1.item(), 5.0f / 3.0f, 1e-6f);
  batchnorm(from_vector({10, 20, 30, 40}, {4, 1}), w, b, rm1, rv1, true, 0.0f, 1e-5f);
  EXPECT_NEAR(rm1.item(), 2.5f, 1e-6f);
}

// The variance is a sum of squared deviations from the mean (not E[x^2] - E[x]^2): with |mean| >> std
// (1000 vs ~0.03) and rows of different means it must match a double two-pass reference (in float,
// E[x^2] - E[x]^2 would lose every digit).
TEST(Batchnorm, VarianceExactForLargeMeanAndDifferentRows) {
  for (const auto& [N, S] : {std::pair<int64_t, int64_t>{20, 37}, {5, 300}}) {
    const int64_t C = 2;
    std::vector<float> v(N * C * S);
    for (int64_t i = 0; i < N * C * S; ++i) {
      const int64_t n = i / (C * S);
      v[i] = 1000.0f + 0.01f * static_cast<float>(n) + 0.001f * static_cast<float>((i * 7919) % 41);
    }
    Tensor x = from_vector(v, {N, C, 1, S});
    Tensor w = ones({C}), b = zeros({C}), rm = zeros({C}), rv = zeros({C});
    batchnorm(x, w, b, rm, rv, true, 1.0f, 0.0f);  // momentum 1: rv = the unbiased batch variance
    for (int64_t c = 0; c < C; ++c) {
      double mean = 0, sq = 0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) mean += v[(n * C + c) * S + s];
      mean /= N * S;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) sq += std::pow(v[(n * C + c) * S + s] - mean, 2);
      EXPECT_NEAR(rm.to_vector()[c], mean, 1e-3) << "N " << N << " S " << S << " channel " << c;
      EXPECT_NEAR(rv.to_vector()[c], sq / (N * S - 1), 1e-3 * sq / (N * S - 1))
          << "N " << N << " S " << S << " channel " << c;
    }
  }
}

TEST(Batchnorm, EvalUsesRunningStatsAndHugeEps) {
  Tensor x = from_vector({1, 2, 3, 4}, {2, 2});
  Tensor w = from_vector({2, 3}, {2}), b = from_vector({1, -1}, {2});
  Tensor rm = from_vector({1, 2}, {2}), rv = from_vector({3, 6}, {2});
  // eps = 10 (the classifier head's accidental eps): rstd = 1/sqrt(var + 10).
  Tensor y = batchnorm(x, w, b, rm, rv, false, 0.1f, 10.0f);
  const float r0 = 1 / std::sqrt(13.0f), r1 = 1 / std::sqrt(16.0f);
  EXPECT_TRUE(all_close(y.to_vector(), {1 + 2 * 0 * r0, -1 + 3 * 0 * r1, 1 + 2 * 2 * r0, -1 + 3 * 2 * r1}));
}

TEST(Batchnorm, GradcheckTrain2dAndOdd4d) {
  for (const Shape& shape : {Shape{6, 4}, Shape{3, 5, 7, 7}}) {
    const int64_t C = shape[1];
    Tensor x = random_tensor(shape, 1, -2, 2), w = random_tensor({C}, 2, 0.5f, 1.5f), b = random_tensor({C}, 3);
    auto f = [C](const std::vector<Tensor>& in) {
      Tensor rm = zeros({C}), rv = ones({C});  // fresh copies: every forward sees the same state
      return batchnorm(in[0], in[1], in[2], rm, rv, true, 0.1f, 1e-5f);
    };
    EXPECT_TRUE(gradcheck(f, {x, w, b})) << shape.str();
  }
}

TEST(Batchnorm, GradcheckEvalAndLargeEps) {
  Tensor x = random_tensor({5, 3, 2, 3}, 4, -2, 2), w = random_tensor({3}, 5), b = random_tensor({3}, 6);
  Tensor rm = random_tensor({3}, 7, -0.5f, 0.5f, false), rv = random_tensor({3}, 8, 0.5f, 2.0f, false);
  auto eval = [&](const std::vector<Tensor>& in) { return batchnorm(in[0], in[1], in[2], rm, rv, false, 0.1f, 1e-5f); };
  EXPECT_TRUE(gradcheck(eval, {x, w, b}));
  Tensor x2 = random_tensor({8, 5}, 9, -3, 3), w2 = random_tensor({5}, 10), b2 = random_tensor({5}, 11);
  EXPECT_TRUE(gradcheck(
      [](const std::vector<Tensor>& in) {
        Tensor m = zeros({5}), v = ones({5});
        return batchnorm(in[0], in[1], in[2], m, v, true, 0.1f, 128.0f);
      },
      {x2, w2, b2}));
}

TEST(Batchnorm, Errors) {
  Tensor x = zeros({4, 3}), rm = zeros({3}), rv = ones({3}), none;
  EXPECT_THROW(batchnorm(x, zeros({4}), zeros({3}), rm, rv, true, 0.1f, 1e-5f), Error);  // weight shape
  EXPECT_THROW(batchnorm(x, zeros({3}), zeros({2}), rm, rv, true, 0.1f, 1e-5f), Error);  // bias shape
  EXPECT_THROW(batchnorm(zeros({4, 3, 2}), zeros({3}), zeros({3}), rm, rv, true, 0.1f, 1e-5f), Error);  // 3-d
  EXPECT_THROW(batchnorm(zeros({1, 3}), zeros({3}), zeros({3}), rm, rv, true, 0.1f, 1e-5f), Error);  // 1 value
  EXPECT_THROW(batchnorm(x, zeros({3}), zeros({3}), none, none, false, 0.1f, 1e-5f), Error);  // eval w/o stats
  Tensor bad_rm = zeros({5});
  try {
    batchnorm(x, zeros({3}), zeros({3}), bad_rm, rv, true, 0.1f, 1e-5f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("running_mean (5,)"), std::string::npos) << e.what();
  }
}

TEST(Batchnorm, DeterministicAcrossThreadCounts) {
  // (N, C, H, W) is parallel over channels, (N, C) over blocks of 64 channels (130: a partial block).
  for (const Shape& shape : {Shape{16, 8, 12, 12}, Shape{256, 130}}) {
    const int64_t C = shape[1];
    Tensor x = random_tensor(shape, 12, -2, 5), w = random_tensor({C}, 13), b = random_tensor({C}, 14);
    Tensor dy = random_tensor(shape, 15, -1, 1, false);
    auto run = [&](int threads) {
      omp_set_num_threads(threads);
      Tensor xi = x.detach().clone().set_requires_grad(), wi = w.detach().clone().set_requires_grad();
      Tensor bi = b.detach().clone().set_requires_grad();
      Tensor rm = zeros({C}), rv = ones({C});
      Tensor y = batchnorm(xi, wi, bi, rm, rv, true, 0.1f, 1e-5f);
      y.backward(dy);
      std::vector<std::vector<float>> r = {y.to_vector(),         rm.to_vector(),         rv.to_vector(),
                                           xi.grad().to_vector(), wi.grad().to_vector(), bi.grad().to_vector()};
      return r;
    };
    const int saved = omp_get_max_threads();
    auto one = run(1), two = run(2);
    omp_set_num_threads(saved);
    EXPECT_EQ(one, two) << shape.str();  // bitwise
  }
}
