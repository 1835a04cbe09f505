// test_reduce.cpp - sum/mean over all elements and over one dim: values, shapes, gradients,
// accuracy of big sums, bitwise determinism with 1 vs 2 OpenMP threads, bad dims.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>

#include "kernels/cpu/reduce.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/reduce.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(Reduce, AllValues) {
  Tensor x = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum(x).shape(), Shape{});
  EXPECT_EQ(sum(x).item(), 21.0f);
  EXPECT_EQ(mean(x).item(), 3.5f);
  EXPECT_EQ(mean(from_vector({-1, 1, 4}, {3})).item(), 4.0f / 3.0f);
}

TEST(Reduce, DimValues2d) {
  Tensor x = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(sum(x, 0).shape(), (Shape{3}));
  EXPECT_EQ(sum(x, 0).to_vector(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(sum(x, 1).shape(), (Shape{2}));
  EXPECT_EQ(sum(x, 1).to_vector(), (std::vector<float>{6, 15}));
  EXPECT_EQ(mean(x, -1).to_vector(), (std::vector<float>{2, 5}));
  EXPECT_EQ(mean(x, 0).to_vector(), (std::vector<float>{2.5, 3.5, 4.5}));
}

TEST(Reduce, DimValues4dAgainstLoops) {
  Tensor x = random_tensor({2, 3, 4, 5}, 3, -1, 1, false);
  const std::vector<float> v = x.to_vector();
  const int64_t dims[4] = {2, 3, 4, 5};
  for (int d = 0; d < 4; ++d) {
    Tensor s = sum(x, d), m = mean(x, d);
    EXPECT_EQ(s.ndim(), 3);
    std::vector<double> ref(s.numel(), 0.0);
    for (int64_t i = 0; i < 120; ++i) {
      int64_t idx[4] = {i / 60, i / 20 % 3, i / 5 % 4, i % 5}, o = 0;
      for (int k = 0; k < 4; ++k)
        if (k != d) o = o * dims[k] + idx[k];
      ref[o] += v[i];
    }
    std::vector<float> ref_s(ref.begin(), ref.end()), ref_m;
    for (double r : ref) ref_m.push_back(static_cast<float>(r / dims[d]));
    EXPECT_TRUE(all_close(s.to_vector(), ref_s, 1e-6f, 1e-6f)) << "dim " << d;
    EXPECT_TRUE(all_close(m.to_vector(), ref_m, 1e-6f, 1e-6f)) << "dim " << d;
  }
  EXPECT_EQ(sum(x, 1).shape(), (Shape{2, 4, 5}));
}

static void check_gradients() {
  Tensor x = random_tensor({3, 5, 7, 7}, 4);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return sum(in[0]); }, {x}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return mean(in[0]); }, {x}));
  for (int d = 0; d < 4; ++d) {
    EXPECT_TRUE(gradcheck([d](const std::vector<Tensor>& in) { return sum(in[0], d); }, {x})) << "sum dim " << d;
    EXPECT_TRUE(gradcheck([d](const std::vector<Tensor>& in) { return mean(in[0], d); }, {x})) << "mean dim " << d;
  }
  Tensor m = random_tensor({6, 11}, 5);
  for (int d = 0; d < 2; ++d)
    EXPECT_TRUE(gradcheck([d](const std::vector<Tensor>& in) { return mean(in[0], d); }, {m})) << "dim " << d;
  // Hand-checked: d mean / dx = 1/n.
  Tensor y = ones({4}).set_requires_grad();
  mean(y).backward();
  EXPECT_EQ(y.grad().to_vector(), (std::vector<float>{0.25, 0.25, 0.25, 0.25}));
}

TEST(Reduce, Gradients) { check_gradients(); }

TEST(ReduceRef, GradientsOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients();
}

TEST(Reduce, BigSumsAreAccurate) {
  // 2^22 copies of 0.1f: a float running sum drifts by ~1e-2 relative; blocked double sums stay exact
  // to float precision.
  const int64_t n = int64_t{1} << 22;
  Tensor x = full({n}, 0.1f);
  const double exact = static_cast<double>(0.1f) * n;
  EXPECT_NEAR(sum(x).item(), exact, exact * 1e-7);
  EXPECT_NEAR(mean(x).item(), 0.1f, 1e-8);
  Tensor cols = full({1 << 16, 64}, 0.1f);
  EXPECT_NEAR(sum(cols, 0).to_vector()[63], static_cast<double>(0.1f) * (1 << 16), 1e-7 * 6554);
}

TEST(Reduce, SameBitsWithOneOrTwoThreads) {
  Tensor big = random_tensor({3000011}, 6, -1, 1, false);  // odd size: a ragged last chunk
  Tensor img = random_tensor({64, 16, 18, 18}, 7, -1, 1, false);
  Tensor mat = random_tensor({1031, 257}, 8, -1, 1, false);
  auto run = [&]() {
    std::vector<std::vector<float>> r;
    r.push_back(sum(big).to_vector());
    r.push_back(mean(big).to_vector());
    for (int d = 0; d < 4; ++d) r.push_back(sum(img, d).to_vector());
    r.push_back(mean(mat, 0).to_vector());
    r.push_back(sum(mat, 1).to_vector());
    return r;
  };
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = run();
  omp_set_num_threads(2);
  const auto two = run();
  omp_set_num_threads(saved);
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_EQ(0, std::memcmp(one[k].data(), two[k].data(), one[k].size() * sizeof(float))) << "result " << k;
}

TEST(Reduce, BadDims) {
  EXPECT_THROW(sum(zeros({2, 3}), 2), Error);
  EXPECT_THROW(mean(zeros({2, 3}), -3), Error);
  EXPECT_THROW(sum(zeros({2, 3, 4, 5}), 4), Error);
  EXPECT_THROW(sum(Tensor()), Error);
  try {
    sum(zeros({2, 3}), 5);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos) << e.what();
  }
}

// Fast (kernels/cpu/reduce: deterministic_sum's 16384-term chunks, parallel above 2^18; sum_dim
// by rows or by 256-column blocks) against plain (kernels/ref/reduce: one double loop per output).
// Sizes around each chunk, block and threshold. Both sum in double: forward atol 1e-6, rtol 1e-6
// (a different order can round to a neighbouring float); backward 0 (the same float product).
TEST(ReduceRef, SumAllFastMatchesRef) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{16384}, int64_t{16385}, (int64_t{1} << 18) + 5, int64_t{3000011}}) {
    const std::vector<float> x = test::lcg_values(n, 161);
    const float scale = 1.0f / static_cast<float>(n), dout = 2.5f;
    float fast = 0, plain = 0;
    cpu::sum_all_forward(&fast, x.data(), n, scale);
    ref::sum_all_forward(&plain, x.data(), n, scale);
    EXPECT_TRUE(all_close(std::vector<float>{fast}, std::vector<float>{plain}, 1e-6f, 1e-6f)) << n;
    std::vector<float> dx_fast(n, 3.0f), dx_ref(n, -3.0f);
    cpu::sum_all_backward(dx_fast.data(), &dout, n, scale);
    ref::sum_all_backward(dx_ref.data(), &dout, n, scale);
    EXPECT_TRUE(all_close(dx_fast, dx_ref, 0, 0)) << n;
  }
}

TEST(ReduceRef, SumDimFastMatchesRef) {
  // (outer, R, inner): rows (inner 1), columns within one block, across blocks, parallel.
  const int64_t shapes[][3] = {{1, 1, 1}, {5, 7, 1}, {3, 20000, 1}, {1, 7, 5},
                               {2, 9, 300}, {3, 5, 49}, {4, 33, 2100}, {1, 1031, 257}};
  for (const auto& s : shapes) {
    const int64_t outer = s[0], R = s[1], inner = s[2];
    const std::vector<float> x = test::lcg_values(outer * R * inner, 162), g = test::lcg_values(outer * inner, 163);
    const float scale = 1.0f / static_cast<float>(R);
    std::vector<float> y_fast(outer * inner), y_ref(outer * inner), dx_fast(outer * R * inner, 3.0f),
        dx_ref(outer * R * inner, -3.0f);
    cpu::sum_dim_forward(y_fast.data(), x.data(), outer, R, inner, scale);
    ref::sum_dim_forward(y_ref.data(), x.data(), outer, R, inner, scale);
    EXPECT_TRUE(all_close(y_fast, y_ref, 1e-6f, 1e-6f)) << outer << "x" << R << "x" << inner;
    cpu::sum_dim_backward(dx_fast.data(), g.data(), outer, R, inner, scale);
    ref::sum_dim_backward(dx_ref.data(), g.data(), outer, R, inner, scale);
    EXPECT_TRUE(all_close(dx_fast, dx_ref, 0, 0)) << outer << "x" << R << "x" << inner;
  }
}
