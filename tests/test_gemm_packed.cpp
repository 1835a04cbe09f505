// test_gemm_packed.cpp - our packed-A SGEMM (kernels/cpu/gemm_packed.h) against a double-precision
// reference on odd shapes (M not a multiple of 6, N not a multiple of 16, K over the 256 chunk,
// row strides larger than the widths), and the convolution with it on vs off (OpenBLAS).
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <vector>

#include "autograd/functions.h"
#include "kernels/cpu/gemm_packed.h"
#include "tests/gradcheck.h"

namespace {

using dl::test::lcg_values;

TEST(GemmPacked, MatchesReferenceOnOddShapes) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: the packed GEMM is not used here";
  struct Shape { int64_t M, N, K; };
  for (const Shape s : {Shape{1, 1, 1}, Shape{7, 37, 300}, Shape{16, 1024, 144}, Shape{13, 5, 513}, Shape{6, 16, 256}}) {
    const int64_t lda = s.K + 3, ldb = s.N + 5, ldc = s.N + 2;
    const auto A = lcg_values(s.M * lda, 1), B = lcg_values(s.K * ldb, 2);
    std::vector<float> C(s.M * ldc, 7.0f), Ap(dl::cpu::packed_a_floats(s.M, s.K));
    dl::cpu::pack_a(Ap.data(), A.data(), s.M, s.K, lda);
    dl::cpu::gemm_packed_a(s.M, s.N, s.K, Ap.data(), B.data(), ldb, C.data(), ldc);
    for (int64_t m = 0; m < s.M; ++m) {
      for (int64_t n = 0; n < s.N; ++n) {
        double ref = 0;
        for (int64_t k = 0; k < s.K; ++k) ref += static_cast<double>(A[m * lda + k]) * B[k * ldb + n];
        ASSERT_NEAR(C[m * ldc + n], ref, 1e-4 * (1 + std::sqrt(static_cast<double>(s.K))))
            << "M " << s.M << " N " << s.N << " K " << s.K << " at (" << m << ", " << n << ")";
      }
      for (int64_t n = s.N; n < ldc; ++n) ASSERT_EQ(C[m * ldc + n], 7.0f) << "wrote past N at row " << m;
    }
  }
}

TEST(GemmPacked, ConvolutionAgreesWithOpenBlasPath) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA";
  dl::Generator gen(3);
  const dl::Tensor x = dl::rand_uniform({5, 7, 9, 9}, -1, 1, gen);
  const dl::Tensor w = dl::rand_uniform({11, 7, 3, 3}, -1, 1, gen);
  const dl::Tensor b = dl::rand_uniform({11}, -1, 1, gen);
  for (int stride : {1, 2}) {
    const auto on = dl::conv2d(x, w, b, stride, 1).to_vector();
    dl::cpu::set_packed_gemm_enabled(false);
    const auto off = dl::conv2d(x, w, b, stride, 1).to_vector();
    dl::cpu::set_packed_gemm_enabled(true);
    ASSERT_EQ(on.size(), off.size());
    for (size_t i = 0; i < on.size(); ++i) ASSERT_NEAR(on[i], off[i], 1e-4) << "stride " << stride << " at " << i;
  }
}

}  // namespace

namespace {

// The packed forward (and the stride-1 input gradient, which is a forward convolution) must give
// the same bits with 1 and 2 threads; the shape is large enough to take the parallel path.
TEST(GemmPacked, ConvolutionBitwiseSameForOneAndTwoThreads) {
  dl::Generator gen(5);
  const dl::Tensor x0 = dl::rand_uniform({8, 16, 16, 16}, -1, 1, gen);
  const dl::Tensor w0 = dl::rand_uniform({24, 16, 3, 3}, -1, 1, gen);
  const dl::Tensor seed = dl::rand_uniform({8, 24, 16, 16}, -1, 1, gen);
  auto run = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    dl::Tensor x = x0.clone(), w = w0.clone();
    x.set_requires_grad();
    w.set_requires_grad();
    dl::Tensor y = dl::conv2d(x, w, dl::Tensor(), 1, 1);
    dl::backward(y, seed);
    omp_set_num_threads(saved);
    std::vector<float> all = y.to_vector();
    for (const dl::Tensor& g : {x.grad(), w.grad()}) {
      const auto v = g.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  const auto one = run(1), two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i], two[i]) << "element " << i;
}

}  // namespace
