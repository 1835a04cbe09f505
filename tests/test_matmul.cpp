// test_matmul.cpp - matmul (all transpose combinations) and linear: values and gradients.
#include <gtest/gtest.h>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/matmul.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(Matmul, Values) {
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector({1, 0, 0, 1, 1, 1}, {3, 2});
  EXPECT_EQ(matmul(a, b).to_vector(), (std::vector<float>{4, 5, 10, 11}));
  EXPECT_EQ(matmul(a, a, false, true).to_vector(), (std::vector<float>{14, 32, 32, 77}));
  EXPECT_EQ(matmul(a, a, true, false).shape(), (Shape{3, 3}));
}

static void check_gradients_all_transposes() {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Tensor a = random_tensor(ta ? Shape{5, 3} : Shape{3, 5}, 1);
      Tensor b = random_tensor(tb ? Shape{4, 5} : Shape{5, 4}, 2);
      EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return matmul(in[0], in[1], ta, tb); }, {a, b}))
          << "trans_a=" << ta << " trans_b=" << tb;
    }
}

TEST(Matmul, GradientsAllTransposes) { check_gradients_all_transposes(); }

TEST(MatmulRef, GradientsAllTransposesOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients_all_transposes();
}

TEST(Matmul, ShapeMismatchNamesShapes) {
  try {
    matmul(zeros({2, 3}), zeros({4, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(4, 5)"), std::string::npos);
  }
}

static void check_linear_values_and_gradients() {
  Tensor x = from_vector({1, 2}, {1, 2});
  Tensor w = from_vector({1, 1, 2, -1}, {2, 2});
  Tensor b = from_vector({10, 20}, {2});
  EXPECT_EQ(linear(x, w, b).to_vector(), (std::vector<float>{13, 20}));
  EXPECT_EQ(linear(x, w).to_vector(), (std::vector<float>{3, 0}));
  Tensor xs = random_tensor({7, 6}, 3), ws = random_tensor({5, 6}, 4), bs = random_tensor({5}, 5);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {xs, ws, bs}));
  EXPECT_THROW(linear(zeros({2, 3}), zeros({4, 5})), Error);
  EXPECT_THROW(linear(zeros({2, 3}), zeros({4, 3}), zeros({3})), Error);
}

TEST(Linear, ValuesAndGradients) { check_linear_values_and_gradients(); }

TEST(LinearRef, ValuesAndGradientsOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_linear_values_and_gradients();
}

TEST(ShapeOps, ReshapeFlattenNarrow) {
  Tensor x = random_tensor({2, 3, 2, 2}, 6);
  EXPECT_EQ(flatten(x).shape(), (Shape{2, 12}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return reshape(in[0], {4, 6}); }, {x}));
  Tensor m = random_tensor({3, 8}, 7);
  Tensor right = narrow_cols(m, 4, 8);
  EXPECT_EQ(right.to_vector()[0], m.to_vector()[4]);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return narrow_cols(in[0], 2, 5); }, {m}));
  EXPECT_THROW(narrow_cols(m, 5, 9), Error);
}

// Fast (kernels/cpu/matmul: OpenBLAS, float accumulation in its own blocking) against plain
// (kernels/ref/matmul: triple loops, double accumulation). Every transpose pair; odd sizes, a
// 1x1x1, K = 1, and sizes past OpenBLAS's small-matrix path. Values in [-1, 1): tolerance
// atol 1e-5 * ceil(K / 64), rtol 1e-5 for each product (K terms of float rounding).
namespace {

float matmul_atol(int64_t terms) { return 1e-5f * static_cast<float>((terms + 63) / 64); }

}  // namespace

TEST(MatmulRef, FastMatchesRefAllTransposes) {
  const int64_t sizes[][3] = {{1, 1, 1}, {3, 5, 4}, {7, 1, 9}, {5, 6, 1}, {33, 17, 65}, {64, 130, 257}};
  for (const auto& sz : sizes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        const int64_t M = sz[0], N = sz[1], K = sz[2];
        const std::vector<float> a = test::lcg_values(M * K, 131), b = test::lcg_values(K * N, 132),
                                 g = test::lcg_values(M * N, 133);
        std::vector<float> out_fast(M * N), out_ref(M * N), da_fast(M * K, 3.0f), da_ref(M * K, -3.0f),
            db_fast(K * N, 3.0f), db_ref(K * N, -3.0f);
        const std::string where = std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K) +
                                  " trans_a=" + std::to_string(ta) + " trans_b=" + std::to_string(tb);
        cpu::matmul_forward(out_fast.data(), a.data(), b.data(), M, N, K, ta, tb);
        ref::matmul_forward(out_ref.data(), a.data(), b.data(), M, N, K, ta, tb);
        EXPECT_TRUE(test::all_close(out_fast, out_ref, matmul_atol(K), 1e-5f)) << where;
        cpu::matmul_backward(da_fast.data(), db_fast.data(), g.data(), a.data(), b.data(), M, N, K, ta, tb);
        ref::matmul_backward(da_ref.data(), db_ref.data(), g.data(), a.data(), b.data(), M, N, K, ta, tb);
        EXPECT_TRUE(test::all_close(da_fast, da_ref, matmul_atol(N), 1e-5f)) << where << " da (written)";
        EXPECT_TRUE(test::all_close(db_fast, db_ref, matmul_atol(M), 1e-5f)) << where << " db (written)";
        std::vector<float> db_only(K * N, 7.0f);  // a null da is skipped
        ref::matmul_backward(nullptr, db_only.data(), g.data(), a.data(), b.data(), M, N, K, ta, tb);
        EXPECT_EQ(db_only, db_ref) << where;
      }
}

TEST(LinearRef, FastMatchesRefParameterGradientsAccumulate) {
  const int64_t sizes[][3] = {{1, 1, 1}, {7, 6, 5}, {9, 33, 17}, {64, 257, 130}};  // N, C, OC
  for (const auto& sz : sizes)
    for (bool with_bias : {true, false}) {
      const int64_t N = sz[0], C = sz[1], OC = sz[2];
      const std::vector<float> x = test::lcg_values(N * C, 141), w = test::lcg_values(OC * C, 142),
                               bias = test::lcg_values(OC, 143), g = test::lcg_values(N * OC, 144),
                               dw0 = test::lcg_values(OC * C, 145), db0 = test::lcg_values(OC, 146);
      const float* b = with_bias ? bias.data() : nullptr;
      const std::string where = std::to_string(N) + "x" + std::to_string(C) + "->" + std::to_string(OC) +
                                (with_bias ? " bias" : " no bias");
      std::vector<float> out_fast(N * OC), out_ref(N * OC);
      cpu::linear_forward(out_fast.data(), x.data(), w.data(), b, N, C, OC);
      ref::linear_forward(out_ref.data(), x.data(), w.data(), b, N, C, OC);
      EXPECT_TRUE(test::all_close(out_fast, out_ref, matmul_atol(C), 1e-5f)) << where;
      // dinp is written over garbage; dweight and dbias are added to what they hold (dw0, db0).
      std::vector<float> dx_fast(N * C, 3.0f), dx_ref(N * C, -3.0f), dw_fast = dw0, dw_ref = dw0, db_fast = db0,
                                             db_ref = db0;
      cpu::linear_backward(dx_fast.data(), dw_fast.data(), db_fast.data(), g.data(), x.data(), w.data(), N, C, OC);
      ref::linear_backward(dx_ref.data(), dw_ref.data(), db_ref.data(), g.data(), x.data(), w.data(), N, C, OC);
      EXPECT_TRUE(test::all_close(dx_fast, dx_ref, matmul_atol(OC), 1e-5f)) << where << " dinp";
      EXPECT_TRUE(test::all_close(dw_fast, dw_ref, matmul_atol(N), 1e-5f)) << where << " dweight";
      EXPECT_TRUE(test::all_close(db_fast, db_ref, matmul_atol(N), 1e-5f)) << where << " dbias";
      // Accumulation, checked on ref itself: a second backward adds the same gradient again.
      std::vector<float> dw_twice = dw_ref, db_twice = db_ref;
      ref::linear_backward(nullptr, dw_twice.data(), db_twice.data(), g.data(), x.data(), w.data(), N, C, OC);
      for (size_t i = 0; i < dw_twice.size(); i += 7)
        EXPECT_NEAR(dw_twice[i] - dw0[i], 2 * (dw_ref[i] - dw0[i]), 1e-5f) << where << " dweight[" << i << "]";
      for (int64_t o = 0; o < OC; ++o)
        EXPECT_NEAR(db_twice[o] - db0[o], 2 * (db_ref[o] - db0[o]), 1e-5f) << where << " dbias[" << o << "]";
    }
}
