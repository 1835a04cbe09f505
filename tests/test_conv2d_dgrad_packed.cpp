// test_conv2d_dgrad_packed.cpp - the strided input gradient as sub-pixel convolutions
// (kernels/cpu/conv2d_dgrad_packed.h) against the reference kernels/ref/conv2d.h: strides 2 and 3, 3x3,
// 1x1 (phases no tap reaches), 5x5 and non-square kernels, pads 0-2, odd and non-square images
// (phase planes of different sizes), channel counts over one K chunk; a plane below 16 pixels is
// declined; bitwise identical for 1 and 2 threads.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/conv2d_dgrad_packed.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/ref/conv2d.h"
#include "tests/conv_shape.h"
#include "tests/gradcheck.h"

namespace {

using dl::test::lcg_values;

using DShape = dl::test::ConvShape;

// The reference input gradient (kernels/ref/conv2d.h), widened to double for the comparisons.
std::vector<double> reference_dinp(const DShape& d, const std::vector<float>& dy, const std::vector<float>& w) {
  std::vector<float> dx(d.N * d.C * d.H * d.W);
  dl::ref::conv2d_backward(dx.data(), nullptr, nullptr, dy.data(), nullptr, w.data(), d.N, d.C, d.H, d.W, d.OC, d.KH,
                           d.KW, d.s, d.pad);
  return {dx.begin(), dx.end()};
}

TEST(Conv2dDgradPacked, MatchesReference) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: the packed forward is not used here";
  const DShape shapes[] = {
      {2, 3, 8, 8, 5, 3, 3, 1, 2},     {2, 4, 9, 11, 7, 3, 3, 1, 2},  {3, 6, 16, 16, 4, 1, 1, 0, 2},
      {2, 5, 13, 14, 3, 3, 3, 1, 3},   {2, 3, 12, 10, 4, 5, 5, 2, 2}, {1, 40, 8, 8, 13, 3, 3, 1, 2},
      {2, 4, 11, 9, 6, 3, 5, 0, 2},    {2, 7, 10, 10, 9, 2, 2, 0, 2}, {1, 2, 32, 32, 3, 3, 3, 1, 2},
      {2, 3, 13, 12, 4, 1, 1, 0, 3},
  };
  for (const DShape& d : shapes) {
    const auto dy = lcg_values(d.N * d.OC * d.OH() * d.OW(), 1), w = lcg_values(d.OC * d.C * d.KH * d.KW, 2);
    std::vector<float> dx(d.N * d.C * d.H * d.W, 7.0f);  // written, not accumulated: 7 must vanish
    ASSERT_TRUE(dl::cpu::conv2d_input_grad_packed(dx.data(), dy.data(), w.data(), d.N, d.C, d.H, d.W, d.OC, d.KH, d.KW,
                                                  d.s, d.pad))
        << "declined input (" << d.N << ", " << d.C << ", " << d.H << ", " << d.W << ")";
    const auto ref = reference_dinp(d, dy, w);
    const double tol = 1e-5 * (1 + std::sqrt(static_cast<double>(d.OC * d.KH * d.KW)));
    for (size_t i = 0; i < ref.size(); ++i)
      ASSERT_NEAR(dx[i], ref[i], tol) << "input (" << d.N << ", " << d.C << ", " << d.H << ", " << d.W << "), weight ("
                                      << d.OC << ", " << d.C << ", " << d.KH << ", " << d.KW << "), stride " << d.s
                                      << " pad " << d.pad << " at " << i;
  }
}

TEST(Conv2dDgradPacked, DeclinesPlanesBelowSixteenPixels) {
  // 6x6 at stride 2: 3x3 phase planes. Nothing may be written.
  const DShape d{1, 2, 6, 6, 2, 3, 3, 1, 2};
  const auto dy = lcg_values(d.N * d.OC * d.OH() * d.OW(), 3), w = lcg_values(d.OC * d.C * d.KH * d.KW, 4);
  std::vector<float> dx(d.N * d.C * d.H * d.W, 7.0f);
  EXPECT_FALSE(dl::cpu::conv2d_input_grad_packed(dx.data(), dy.data(), w.data(), d.N, d.C, d.H, d.W, d.OC, d.KH, d.KW,
                                                 d.s, d.pad));
  for (float v : dx) ASSERT_EQ(v, 7.0f);
}

TEST(Conv2dDgradPacked, BitwiseSameForOneAndTwoThreads) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA";
  const DShape d{8, 16, 16, 16, 32, 3, 3, 1, 2};  // large enough for the parallel path
  const auto dy = lcg_values(d.N * d.OC * d.OH() * d.OW(), 5), w = lcg_values(d.OC * d.C * d.KH * d.KW, 6);
  auto run = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    std::vector<float> dx(d.N * d.C * d.H * d.W);
    dl::cpu::conv2d_input_grad_packed(dx.data(), dy.data(), w.data(), d.N, d.C, d.H, d.W, d.OC, d.KH, d.KW, d.s, d.pad);
    omp_set_num_threads(saved);
    return dx;
  };
  EXPECT_EQ(run(1), run(2));
}

}  // namespace
