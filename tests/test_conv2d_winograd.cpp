// test_conv2d_winograd.cpp - the Winograd F(2x2, 3x3) forward and weight gradient
// (kernels/cpu/conv2d_winograd.h) against the definition kernels/ref/conv2d.h: even and odd plane
// sizes (partial tiles), planes one pixel high or wide, channel counts off the micro-kernel's
// tile, bias, batch 1 and many blocks (and groups of blocks); then the same bits for 1 and 2
// threads, and the switch that hands the shape back to the direct convolution.
#include <gtest/gtest.h>
#include <omp.h>

#include <string>
#include <vector>

#include "kernels/cpu/conv2d_plan.h"
#include "kernels/cpu/conv2d_winograd.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/ref/conv2d.h"
#include "tests/gradcheck.h"

namespace {

struct Shape4 {
  int64_t N, C, H, W, OC;
};

std::string str(const Shape4& s) {
  return "input (" + std::to_string(s.N) + ", " + std::to_string(s.C) + ", " + std::to_string(s.H) + ", " +
         std::to_string(s.W) + "), " + std::to_string(s.OC) + " output channels";
}

std::vector<float> winograd(const Shape4& s, const std::vector<float>& x, const std::vector<float>& w,
                            const std::vector<float>& b) {
  std::vector<float> y(s.N * s.OC * s.H * s.W, 7.0f);  // written, not accumulated: the 7s must vanish
  dl::cpu::conv2d_forward_winograd(y.data(), x.data(), w.data(), b.empty() ? nullptr : b.data(), s.N, s.C, s.H, s.W,
                                   s.OC);
  return y;
}

TEST(Conv2dWinograd, MatchesRef) {
  if (!dl::cpu::conv2d_forward_winograd_fits(16, 16, 3, 3, 1, 1))
    GTEST_SKIP() << "no AVX2+FMA, or DL_WINOGRAD=0 / DL_PACKED_GEMM=0: the Winograd forward is off";
  const Shape4 shapes[] = {{1, 1, 2, 2, 1},   {2, 3, 5, 7, 4},     {3, 16, 9, 8, 6},    {1, 70, 1, 5, 17},
                           {2, 17, 6, 1, 33}, {4, 128, 3, 3, 65},  {2, 64, 32, 32, 64}, {1, 96, 4, 4, 512},
                           {9, 64, 8, 8, 64}};
  for (const Shape4& s : shapes)
    for (bool with_bias : {true, false}) {
      const auto x = dl::test::lcg_values(s.N * s.C * s.H * s.W, 1), w = dl::test::lcg_values(s.OC * s.C * 9, 2);
      const auto b = with_bias ? dl::test::lcg_values(s.OC, 3) : std::vector<float>{};
      std::vector<float> ref(s.N * s.OC * s.H * s.W);
      dl::ref::conv2d_forward(ref.data(), x.data(), w.data(), with_bias ? b.data() : nullptr, s.N, s.C, s.H, s.W, s.OC,
                              3, 3, 1, 1);
      // Sums of up to 9 C terms of |.| <= 1; the transforms (sums of up to 9 inputs, halved weights)
      // round more than the direct sum, so twice the direct convolution's bound (test_conv2d_plan.cpp).
      EXPECT_TRUE(dl::test::all_close(winograd(s, x, w, b), ref, 4e-6f * s.C * 9, 1e-5f))
          << str(s) << (with_bias ? " with bias" : "");
    }
}

// dW from the Winograd weight gradient, added to `dw0` (it accumulates).
std::vector<float> winograd_wgrad(const Shape4& s, const std::vector<float>& dy, const std::vector<float>& x,
                                  std::vector<float> dw0) {
  dl::cpu::conv2d_weight_grad_winograd(dw0.data(), dy.data(), x.data(), s.N, s.C, s.H, s.W, s.OC);
  return dw0;
}

TEST(Conv2dWinograd, WeightGradMatchesRef) {
  if (!dl::cpu::conv2d_forward_winograd_fits(16, 16, 3, 3, 1, 1)) GTEST_SKIP() << "the Winograd path is off";
  const Shape4 shapes[] = {{1, 1, 2, 2, 1},  {2, 3, 5, 7, 4},     {3, 16, 9, 8, 6},  {1, 70, 1, 5, 17},
                           {2, 17, 6, 1, 33}, {4, 128, 3, 3, 65}, {2, 64, 32, 32, 64}, {9, 64, 8, 8, 64},
                           {40, 64, 8, 8, 64}};  // the last: 7 blocks in 4 groups
  for (const Shape4& s : shapes) {
    const auto x = dl::test::lcg_values(s.N * s.C * s.H * s.W, 7), dy = dl::test::lcg_values(s.N * s.OC * s.H * s.W, 8);
    const auto dw0 = dl::test::lcg_values(s.OC * s.C * 9, 9), w = dl::test::lcg_values(s.OC * s.C * 9, 10);
    std::vector<float> ref = dw0;
    dl::ref::conv2d_backward(nullptr, ref.data(), nullptr, dy.data(), x.data(), w.data(), s.N, s.C, s.H, s.W, s.OC, 3,
                             3, 1, 1);
    // Sums over N H W pixels of |.| <= 1 terms: twice the direct weight gradient's bound.
    EXPECT_TRUE(dl::test::all_close(winograd_wgrad(s, dy, x, dw0), ref, 4e-6f * s.N * s.H * s.W + 2e-6f, 1e-5f))
        << str(s);
  }
}

TEST(Conv2dWinograd, BitwiseSameForOneAndTwoThreads) {
  if (!dl::cpu::conv2d_forward_winograd_fits(64, 64, 3, 3, 1, 1)) GTEST_SKIP() << "the Winograd forward is off";
  const Shape4 s{8, 64, 16, 16, 64};  // 64 tile rows in blocks of 12: six blocks (four groups in dW)
  const auto x = dl::test::lcg_values(s.N * s.C * s.H * s.W, 4), w = dl::test::lcg_values(s.OC * s.C * 9, 5);
  const auto b = dl::test::lcg_values(s.OC, 6);
  const auto dy = dl::test::lcg_values(s.N * s.OC * s.H * s.W, 7), dw0 = dl::test::lcg_values(s.OC * s.C * 9, 8);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = winograd(s, x, w, b), dw_one = winograd_wgrad(s, dy, x, dw0);
  omp_set_num_threads(2);
  const auto two = winograd(s, x, w, b), dw_two = winograd_wgrad(s, dy, x, dw0);
  omp_set_num_threads(saved);
  EXPECT_EQ(one, two);  // bitwise
  EXPECT_EQ(dw_one, dw_two);
}

TEST(Conv2dWinograd, PlanUsesItFrom64ChannelsAndTheSwitchTurnsItOff) {
  if (!dl::cpu::conv2d_forward_winograd_fits(64, 64, 3, 3, 1, 1)) GTEST_SKIP() << "the Winograd forward is off";
  const dl::cpu::ConvShape layer1{64, 64, 32, 32, 64, 3, 3, 1, 1}, narrow{64, 32, 16, 16, 32, 3, 3, 1, 1};
  using F = dl::cpu::ConvForwardImpl;
  using G = dl::cpu::ConvWeightGradImpl;
  EXPECT_EQ(dl::cpu::plan_conv(layer1).forward, F::kWinograd);
  EXPECT_EQ(dl::cpu::plan_conv(layer1).weight_grad, G::kWinograd);
  EXPECT_EQ(dl::cpu::plan_conv(narrow).forward, F::kPackedDirect);
  EXPECT_EQ(dl::cpu::plan_conv(narrow).weight_grad, G::kPackedPanels);
  dl::cpu::set_winograd_enabled(false);
  EXPECT_EQ(dl::cpu::plan_conv(layer1).forward, F::kPackedDirect);
  EXPECT_EQ(dl::cpu::plan_conv(layer1).weight_grad, G::kPackedPanels);
  dl::cpu::set_winograd_enabled(true);
  EXPECT_EQ(dl::cpu::plan_conv(layer1).forward, F::kWinograd);
}

}  // namespace
