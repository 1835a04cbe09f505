// test_l2_normalize.cpp - row L2 normalization: values (incl. a zero row), unit norms,
// gradients on both sides of the eps clamp, bad shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/l2_normalize.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/l2_normalize.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(L2Normalize, Values) {
  Tensor x = from_vector({3, 4, 0, 0, 0, -2}, {3, 2});
  // Rows: (3, 4) / 5; the zero row stays 0 (divided by eps); (0, -2) / 2.
  EXPECT_TRUE(all_close(l2_normalize(x).to_vector(), {0.6f, 0.8f, 0, 0, 0, -1}, 1e-7f, 1e-6f));
  // eps larger than the norm: divided by eps instead (torch F.normalize semantics).
  EXPECT_TRUE(all_close(l2_normalize(from_vector({0.3, 0.4}, {1, 2}), 1.0f).to_vector(), {0.3f, 0.4f}));
}

TEST(L2Normalize, RowsHaveUnitNorm) {
  Tensor y = l2_normalize(random_tensor({512, 128}, 1, -1, 1, false));
  const std::vector<float> v = y.to_vector();
  for (int n = 0; n < 512; n += 37) {
    double ss = 0;
    for (int j = 0; j < 128; ++j) ss += static_cast<double>(v[n * 128 + j]) * v[n * 128 + j];
    EXPECT_NEAR(std::sqrt(ss), 1.0, 1e-6) << "row " << n;
  }
}

static void check_gradients() {
  Tensor x = random_tensor({5, 7}, 2);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return l2_normalize(in[0]); }, {x}));
  Tensor wide = random_tensor({3, 300}, 3);  // rows longer than one summation sub-block
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return l2_normalize(in[0]); }, {wide}));
  Tensor big = random_tensor({512, 128}, 4);  // the benchmark size
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return l2_normalize(in[0]); }, {big}));
  // Every row's norm (<= 0.2) below eps = 1: the clamp branch, y = x / eps.
  Tensor small = random_tensor({4, 4}, 5, -0.1f, 0.1f);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return l2_normalize(in[0], 1.0f); }, {small}));
  // Hand-checked: x = (3, 4), g = (1, 0): dx = (g - y (y.g)) / 5 = ((1, 0) - 0.6 (0.6, 0.8)) / 5.
  Tensor h = from_vector({3, 4}, {1, 2}).set_requires_grad();
  l2_normalize(h).backward(from_vector({1, 0}, {1, 2}));
  EXPECT_TRUE(all_close(h.grad().to_vector(), {0.64f / 5, -0.48f / 5}, 1e-7f, 1e-6f));
}

TEST(L2Normalize, Gradients) { check_gradients(); }

TEST(L2NormalizeRef, GradientsOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients();
}

TEST(L2Normalize, BadShapes) {
  EXPECT_THROW(l2_normalize(zeros({4})), Error);
  EXPECT_THROW(l2_normalize(zeros({2, 3, 4, 5})), Error);
  EXPECT_THROW(l2_normalize(zeros({2, 3}), 0.0f), Error);
}

// Fast (kernels/cpu/l2_normalize) against plain (kernels/ref/l2_normalize): odd D, rows longer
// than the vector width, a zero row and rows under eps (the clamp branch), and N D above the
// OpenMP threshold (2^18). Both sum in double; the divisions are the same float formula.
// Tolerances: out and norm rtol 1e-6; dinp atol 1e-6, rtol 1e-5 (y (y . g) cancels against g).
TEST(L2NormalizeRef, FastMatchesRef) {
  const int64_t shapes[][2] = {{1, 1}, {5, 7}, {3, 300}, {512, 128}, {1030, 257}};
  for (const auto& s : shapes)
    for (float eps : {1e-12f, 0.5f}) {
      const int64_t N = s[0], D = s[1];
      std::vector<float> x = test::lcg_values(N * D, 101);
      const std::vector<float> g = test::lcg_values(N * D, 102);
      for (int64_t j = 0; j < D; ++j) x[j] = 0.0f;                        // row 0: zero
      if (N > 2) for (int64_t j = 0; j < D; ++j) x[2 * D + j] *= 1e-3f;  // row 2: under eps 0.5
      std::vector<float> y_fast(N * D), y_ref(N * D), nrm_fast(N), nrm_ref(N), dx_fast(N * D, 3.0f),
          dx_ref(N * D, -3.0f);
      cpu::l2_normalize_forward(y_fast.data(), nrm_fast.data(), x.data(), N, D, eps);
      ref::l2_normalize_forward(y_ref.data(), nrm_ref.data(), x.data(), N, D, eps);
      EXPECT_TRUE(all_close(nrm_fast, nrm_ref, 0, 1e-6f)) << N << "x" << D << " eps " << eps;
      EXPECT_TRUE(all_close(y_fast, y_ref, 0, 1e-6f)) << N << "x" << D << " eps " << eps;
      cpu::l2_normalize_backward(dx_fast.data(), g.data(), x.data(), y_ref.data(), nrm_ref.data(), N, D, eps);
      ref::l2_normalize_backward(dx_ref.data(), g.data(), x.data(), y_ref.data(), nrm_ref.data(), N, D, eps);
      EXPECT_TRUE(all_close(dx_fast, dx_ref, 1e-6f, 1e-5f)) << N << "x" << D << " eps " << eps;
    }
}
