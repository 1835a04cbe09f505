// test_conv2d_wgrad_packed.cpp - the packed convolution weight gradient
// (kernels/cpu/conv2d_wgrad_packed.h) against the reference kernels/ref/conv2d.h on odd shapes (K not a
// multiple of 16, OC not a multiple of 6, 1x1 and 5x5, 4x4 images, batch 1, images larger than
// one 256-pixel chunk, P not a multiple of 8, OC over one M block; both panel builders: C a multiple
// of 16 or not), against the OpenBLAS path via
// autograd, and bitwise identical for 1 and 2 threads; stride 2 and unpadded shapes (channels-last).
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <vector>

#include "autograd/functions.h"
#include "kernels/cpu/conv2d_wgrad_packed.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/ref/conv2d.h"
#include "tests/conv_shape.h"
#include "tests/gradcheck.h"

namespace {

using dl::test::lcg_values;

using WShape = dl::test::ConvShape;

// The reference weight gradient (kernels/ref/conv2d.h), widened to double for the comparisons.
std::vector<double> reference_dw(const WShape& s, const std::vector<float>& dy, const std::vector<float>& x) {
  std::vector<float> dw(s.OC * s.C * s.KH * s.KW, 0.0f);
  dl::ref::conv2d_backward(nullptr, dw.data(), nullptr, dy.data(), x.data(), nullptr, s.N, s.C, s.H, s.W, s.OC, s.KH,
                           s.KW, s.s, s.pad);
  return {dw.begin(), dw.end()};
}

TEST(Conv2dWgradPacked, MatchesReferenceOnOddShapes) {
  if (!dl::cpu::packed_gemm_available() || !dl::cpu::packed_wgrad_enabled())
    GTEST_SKIP() << "no AVX2+FMA, or DL_PACKED_GEMM=0 / DL_PACKED_WGRAD=0: the packed weight gradient is off";
  const WShape shapes[] = {
      {2, 4, 5, 5, 7, 3, 3, 1},     // K = 36, OC = 7, P = 25 (padded to 32)
      {1, 16, 4, 4, 13, 3, 3, 1},   // batch 1, 4x4
      {3, 37, 9, 9, 11, 1, 1, 0},   // 1x1, K = 37
      {2, 4, 20, 20, 6, 3, 3, 1},   // P = 400: two chunks per image, the second partial
      {5, 3, 7, 7, 2, 5, 5, 2},     // 5x5 pad 2, P = 49, K = 75
      {17, 8, 4, 4, 20, 3, 3, 1},   // 16 images per chunk, then 1
      {3, 4, 4, 4, 140, 3, 3, 1},   // OC = 140: two M blocks
      {1, 4, 32, 32, 16, 3, 3, 1},  // 32x32: four full chunks
      // C a multiple of 16: the channels-last variant
      {2, 32, 20, 20, 7, 3, 3, 1},  // chunks of 256 pixels straddle rows of 20
      {17, 16, 4, 4, 20, 3, 3, 1},  // 16 images per chunk, then 1
      {3, 16, 7, 7, 5, 5, 5, 2},    // 5x5, P = 49 padded to 56
      {2, 32, 9, 9, 11, 1, 1, 0},   // 1x1
      {3, 16, 4, 4, 140, 3, 3, 1},  // two M blocks
      {1, 48, 16, 16, 9, 3, 3, 1},  // three channel groups, one 256-pixel chunk
      {1, 16, 4, 4, 1000, 3, 3, 1}, // OC = 1000: 8 M blocks
      // ... any stride and padding
      {2, 16, 8, 8, 7, 3, 3, 1, 2},    // 3x3 stride 2 -> 4x4
      {2, 16, 32, 32, 6, 3, 3, 1, 2},  // -> 16x16: one full chunk per image
      {2, 16, 40, 40, 13, 3, 3, 1, 2}, // -> 20x20: chunks straddle rows
      {1, 16, 7, 7, 5, 3, 3, 0, 2},    // no padding -> 3x3
      {2, 16, 6, 6, 5, 3, 3, 0, 1},    // stride 1 without padding -> 4x4
  };
  for (const WShape& s : shapes) {
    const auto x = lcg_values(s.N * s.C * s.H * s.W, 11), dy = lcg_values(s.N * s.OC * s.OH() * s.OW(), 12);
    std::vector<float> dw = lcg_values(s.OC * s.C * s.KH * s.KW, 13);  // accumulated into
    const std::vector<float> dw0 = dw;
    ASSERT_TRUE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), s.N, s.C, s.H, s.W, s.OC, s.KH,
                                                   s.KW, s.s, s.pad))
        << "N " << s.N << " C " << s.C << " HW " << s.H << " OC " << s.OC << " K " << s.KH << " stride " << s.s;
    const auto ref = reference_dw(s, dy, x);
    const double tol = 1e-4 * (1 + std::sqrt(static_cast<double>(s.N * s.H * s.W)));
    for (size_t i = 0; i < dw.size(); ++i)
      ASSERT_NEAR(dw[i], dw0[i] + ref[i], tol) << "N " << s.N << " C " << s.C << " HW " << s.H << " OC " << s.OC
                                               << " K " << s.KH << " stride " << s.s << " at " << i;
  }
}

TEST(Conv2dWgradPacked, DeclinesOtherShapes) {
  std::vector<float> dw(4 * 4 * 9), dy(2 * 4 * 64), x(2 * 4 * 64);
  // K < 32; C not a multiple of 16 with stride 2 or without 'same' padding; strided 1x1 or with
  // OC > 128: the im2col path.
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), 2, 3, 4, 4, 4, 3, 3, 1, 1));
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), 2, 4, 8, 8, 4, 3, 3, 2, 1));
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), 2, 4, 6, 6, 4, 3, 3, 1, 0));
  std::vector<float> dw1(64 * 32), dy1(2 * 64 * 16), x1(2 * 32 * 64);  // strided 1x1 (a shortcut)
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw1.data(), dy1.data(), x1.data(), 2, 32, 8, 8, 64, 1, 1, 2, 0));
  std::vector<float> dw2(140 * 16 * 9), dy2(140 * 16), x2(16 * 64);  // strided with OC > 128
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw2.data(), dy2.data(), x2.data(), 1, 16, 8, 8, 140, 3, 3, 2, 1));
  dl::cpu::set_packed_gemm_enabled(false);
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), 2, 4, 4, 4, 4, 3, 3, 1, 1));
  dl::cpu::set_packed_gemm_enabled(true);
  const bool was = dl::cpu::packed_wgrad_enabled();
  dl::cpu::set_packed_wgrad_enabled(false);
  EXPECT_FALSE(dl::cpu::conv2d_weight_grad_packed(dw.data(), dy.data(), x.data(), 2, 4, 4, 4, 4, 3, 3, 1, 1));
  dl::cpu::set_packed_wgrad_enabled(was);
}

// Through autograd (stride 1 and 2, with the input gradient as well): the gradients with the packed
// weight gradient on and off (im2col + OpenBLAS) agree.
TEST(Conv2dWgradPacked, AgreesWithOpenBlasPath) {
  if (!dl::cpu::packed_gemm_available() || !dl::cpu::packed_wgrad_enabled()) GTEST_SKIP() << "packed wgrad off";
  dl::Generator gen(7);
  const dl::Tensor x0 = dl::rand_uniform({6, 32, 8, 8}, -1, 1, gen);  // C = 32: the channels-last variant
  const dl::Tensor w0 = dl::rand_uniform({21, 32, 3, 3}, -1, 1, gen);
  for (int stride : {1, 2}) {
    const int64_t ohw = stride == 1 ? 8 : 4;
    const dl::Tensor seed = dl::rand_uniform({6, 21, ohw, ohw}, -1, 1, gen);
    auto grads = [&]() {
      dl::Tensor w = w0.clone(), x = x0.clone();
      w.set_requires_grad();
      x.set_requires_grad();
      dl::backward(dl::conv2d(x, w, dl::Tensor(), stride, 1), seed);
      auto g = w.grad().to_vector();
      const auto gx = x.grad().to_vector();
      g.insert(g.end(), gx.begin(), gx.end());
      return g;
    };
    const auto on = grads();
    dl::cpu::set_packed_wgrad_enabled(false);
    const auto off = grads();
    dl::cpu::set_packed_wgrad_enabled(true);
    ASSERT_EQ(on.size(), off.size());
    for (size_t i = 0; i < on.size(); ++i) ASSERT_NEAR(on[i], off[i], 1e-3) << "stride " << stride << " at " << i;
  }
}

// Each dW element is summed over the chunks in one fixed order by whichever thread owns its tile.
TEST(Conv2dWgradPacked, BitwiseSameForOneAndTwoThreads) {
  const WShape shapes[] = {{8, 16, 16, 16, 16, 3, 3, 1}, {16, 8, 4, 4, 140, 3, 3, 1}, {4, 4, 32, 32, 16, 3, 3, 1},
                           {16, 32, 4, 4, 140, 3, 3, 1}, {2, 32, 20, 20, 16, 3, 3, 1}, {8, 32, 16, 16, 64, 3, 3, 1, 2},
                           {5, 16, 16, 16, 8, 3, 3, 1}};  // small dW: chunk groups (5 chunks: 1, 1, 1, 2)
  for (const WShape& s : shapes) {
    const auto x = lcg_values(s.N * s.C * s.H * s.W, 21), dy = lcg_values(s.N * s.OC * s.OH() * s.OW(), 22);
    std::vector<float> dw[2];
    const int saved = omp_get_max_threads();
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      dw[threads - 1] = lcg_values(s.OC * s.C * s.KH * s.KW, 23);
      if (!dl::cpu::conv2d_weight_grad_packed(dw[threads - 1].data(), dy.data(), x.data(), s.N, s.C, s.H, s.W, s.OC,
                                              s.KH, s.KW, s.s, s.pad)) {
        omp_set_num_threads(saved);
        GTEST_SKIP() << "no AVX2+FMA";
      }
    }
    omp_set_num_threads(saved);
    EXPECT_TRUE(dw[0] == dw[1]) << "OC " << s.OC << " HW " << s.H;
  }
}

}  // namespace
