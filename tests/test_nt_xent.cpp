// test_nt_xent.cpp - the reference's cross-view contrastive loss and standard SimCLR NT-Xent:
// PyTorch goldens at tau 0.1 and 0.5, hand values, gradcheck, shape errors.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/nt_xent.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/nt_xent.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

namespace {

using LossFn = Tensor (*)(const Tensor&, const Tensor&, float);

void check_golden(const std::string& name, LossFn fn) {
  const NamedTensors g = dl::test::load_golden(name);
  for (const std::string tag : {"t01", "t05"}) {
    SCOPED_TRACE(name + " " + tag);
    const float tau = std::stof(g.metadata.at(tag));
    Tensor a = g.at(tag + "_a").clone().set_requires_grad(), b = g.at(tag + "_b").clone().set_requires_grad();
    Tensor loss = fn(a, b, tau);
    EXPECT_TRUE(all_close(loss, g.at(tag + "_loss"), 1e-5f, 1e-5f));
    loss.backward();
    EXPECT_TRUE(all_close(a.grad(), g.at(tag + "_da"), 1e-5f, 1e-4f));
    EXPECT_TRUE(all_close(b.grad(), g.at(tag + "_db"), 1e-5f, 1e-4f));
  }
}

// Random rows scaled to unit length (the losses expect normalized inputs; gradcheck does not care).
Tensor unit_rows(const Shape& shape, uint64_t seed) {
  std::vector<float> v = random_tensor(shape, seed, -1, 1, false).to_vector();
  const int64_t D = shape[1];
  for (int64_t i = 0; i < shape[0]; ++i) {
    double s = 0;
    for (int64_t j = 0; j < D; ++j) s += v[i * D + j] * v[i * D + j];
    for (int64_t j = 0; j < D; ++j) v[i * D + j] /= static_cast<float>(std::sqrt(s));
  }
  return from_vector(v, shape).set_requires_grad();
}

}  // namespace

TEST(NtXentCrossView, Golden) { check_golden("nt_xent_cross_view", nt_xent_cross_view); }
TEST(NtXent, Golden) { check_golden("nt_xent", nt_xent); }

TEST(NtXentRef, GoldensOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_golden("nt_xent_cross_view", nt_xent_cross_view);
  check_golden("nt_xent", nt_xent);
}

TEST(NtXentCrossView, HandValues) {
  // Orthonormal e1 = e2 = I (N = D = 3): S = I / tau, loss = -log(e^{1/tau} / (e^{1/tau} + 2)).
  Tensor e = from_vector({1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3});
  const float tau = 0.5f, e2 = std::exp(2.0f);
  EXPECT_NEAR(nt_xent_cross_view(e, e, tau).item(), -std::log(e2 / (e2 + 2.0f)), 1e-6f);
  // One pair: the only candidate is the positive, the loss is 0.
  EXPECT_NEAR(nt_xent_cross_view(from_vector({1, 0}, {1, 2}), from_vector({0, 1}, {1, 2}), 0.1f).item(), 0.0f, 1e-7f);
}

TEST(NtXent, HandValues) {
  // z1 = z2 = I (N = D = 2): row i has the positive at 1/tau and 2 negatives at 0 (diagonal excluded).
  Tensor e = from_vector({1, 0, 0, 1}, {2, 2});
  const float tau = 0.5f, e2 = std::exp(2.0f);
  EXPECT_NEAR(nt_xent(e, e, tau).item(), -std::log(e2 / (e2 + 2.0f)), 1e-6f);
}

static void check_cross_view_gradcheck() {
  for (float tau : {0.1f, 0.5f}) {
    Tensor a = unit_rows({5, 4}, 1), b = unit_rows({5, 4}, 2);
    dl::test::GradcheckOptions opt;
    opt.eps = tau * 1e-2f;  // S changes by ~eps/tau: keep the finite difference in its linear range
    EXPECT_TRUE(gradcheck([tau](const std::vector<Tensor>& in) { return nt_xent_cross_view(in[0], in[1], tau); },
                          {a, b}, opt))
        << "tau " << tau;
  }
}

TEST(NtXentCrossView, Gradcheck) { check_cross_view_gradcheck(); }

TEST(NtXentCrossViewRef, GradcheckOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_cross_view_gradcheck();
}

static void check_gradcheck() {
  for (float tau : {0.1f, 0.5f}) {
    Tensor a = unit_rows({5, 4}, 3), b = unit_rows({5, 4}, 4);
    dl::test::GradcheckOptions opt;
    opt.eps = tau * 1e-2f;
    EXPECT_TRUE(gradcheck([tau](const std::vector<Tensor>& in) { return nt_xent(in[0], in[1], tau); }, {a, b}, opt))
        << "tau " << tau;
  }
  // Only one side requiring grad still works.
  Tensor a = unit_rows({3, 4}, 5);
  Tensor b = unit_rows({3, 4}, 6).detach();
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return nt_xent(in[0], in[1], 0.2f); }, {a, b}));
}

TEST(NtXent, Gradcheck) { check_gradcheck(); }

TEST(NtXentRef, GradcheckOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradcheck();
}

TEST(NtXent, Errors) {
  for (LossFn fn : {nt_xent_cross_view, nt_xent}) {
    EXPECT_THROW(fn(zeros({4, 8}), zeros({4, 7}), 0.1f), Error);
    EXPECT_THROW(fn(zeros({4, 8}), zeros({3, 8}), 0.1f), Error);
    EXPECT_THROW(fn(zeros({4, 8, 1}), zeros({4, 8, 1}), 0.1f), Error);
    EXPECT_THROW(fn(zeros({4, 8}), zeros({4, 8}), 0.0f), Error);
  }
  try {
    nt_xent_cross_view(zeros({4, 8}), zeros({4, 7}), 0.1f);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(4, 8)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(4, 7)"), std::string::npos);
  }
}

// Fast (kernels/cpu/nt_xent: BLAS similarities, fast_exp, 8-lane float sums, OpenMP over rows
// above 16384 entries of S, GEMM backward) against plain (kernels/ref/nt_xent: loops, std::exp,
// double sums), both forms. N from 1 to past the row-parallel thresholds (N > 128 cross-view,
// 2N > 128 standard), odd D, tau 0.1 and 0.5, unit rows. The backward gets the same dS on both
// sides. Tolerances: loss atol 1e-5, rtol 1e-5; dS (entries ~1/N) atol 1e-6, rtol 1e-4 (S in
// float carries ~1e-6 / tau); gradients atol 1e-5, rtol 1e-4.
namespace {

std::vector<float> unit_rows_raw(int64_t N, int64_t D, unsigned seed) {
  std::vector<float> v = test::lcg_values(N * D, seed);
  for (int64_t i = 0; i < N; ++i) {
    double s = 0;
    for (int64_t j = 0; j < D; ++j) s += static_cast<double>(v[i * D + j]) * v[i * D + j];
    for (int64_t j = 0; j < D; ++j) v[i * D + j] /= static_cast<float>(std::sqrt(s));
  }
  return v;
}

}  // namespace

TEST(NtXentRef, FastMatchesRefBothForms) {
  const int64_t sizes[][2] = {{1, 4}, {3, 5}, {9, 17}, {65, 33}, {130, 128}};
  for (const auto& sz : sizes)
    for (float tau : {0.1f, 0.5f})
      for (bool standard : {false, true}) {
        const int64_t N = sz[0], D = sz[1], R = standard ? 2 * N : N;
        const std::vector<float> a = unit_rows_raw(N, D, 151), b = unit_rows_raw(N, D, 152);
        const std::string where = std::string(standard ? "nt_xent " : "cross_view ") + std::to_string(N) + "x" +
                                  std::to_string(D) + " tau " + std::to_string(tau);
        float loss_fast = 0, loss_ref = 0;
        std::vector<float> dS_fast(R * R), dS_ref(R * R);
        auto forward = standard ? cpu::nt_xent_forward : cpu::nt_xent_cross_view_forward;
        auto forward_ref = standard ? ref::nt_xent_forward : ref::nt_xent_cross_view_forward;
        forward(&loss_fast, dS_fast.data(), a.data(), b.data(), N, D, tau);
        forward_ref(&loss_ref, dS_ref.data(), a.data(), b.data(), N, D, tau);
        EXPECT_TRUE(all_close(std::vector<float>{loss_fast}, std::vector<float>{loss_ref}, 1e-5f, 1e-5f)) << where;
        EXPECT_TRUE(all_close(dS_fast, dS_ref, 1e-6f, 1e-4f)) << where;
        const float dloss = 1.3f;
        std::vector<float> da_fast(N * D, 3.0f), da_ref(N * D, -3.0f), db_fast(N * D, 3.0f), db_ref(N * D, -3.0f);
        auto backward = standard ? cpu::nt_xent_backward : cpu::nt_xent_cross_view_backward;
        auto backward_ref = standard ? ref::nt_xent_backward : ref::nt_xent_cross_view_backward;
        backward(da_fast.data(), db_fast.data(), &dloss, a.data(), b.data(), dS_ref.data(), N, D, tau);
        backward_ref(da_ref.data(), db_ref.data(), &dloss, a.data(), b.data(), dS_ref.data(), N, D, tau);
        EXPECT_TRUE(all_close(da_fast, da_ref, 1e-5f, 1e-4f)) << where << " first gradient";
        EXPECT_TRUE(all_close(db_fast, db_ref, 1e-5f, 1e-4f)) << where << " second gradient";
        std::vector<float> db_only(N * D, 9.0f);  // a null first gradient is skipped
        backward_ref(nullptr, db_only.data(), &dloss, a.data(), b.data(), dS_ref.data(), N, D, tau);
        EXPECT_EQ(db_only, db_ref) << where;
      }
}
