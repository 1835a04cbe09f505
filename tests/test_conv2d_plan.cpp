// test_conv2d_plan.cpp - which fast convolution runs for which shape (kernels/cpu/conv2d_plan.h),
// shape by shape at the ResNet18-CIFAR layers, and the fast convolution against the reference
// kernels/ref/conv2d.h on shapes that reach every implementation the plan can choose (the packed
// GEMM on and off, the packed weight gradient on and off); a final check proves each was reached.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "kernels/cpu/conv2d.h"
#include "kernels/cpu/conv2d_plan.h"
#include "kernels/cpu/conv2d_wgrad_packed.h"
#include "kernels/cpu/conv2d_winograd.h"
#include "kernels/cpu/gemm_packed.h"
#include "kernels/ref/conv2d.h"
#include "tests/gradcheck.h"

namespace {

using dl::cpu::ConvForwardImpl;
using dl::cpu::ConvInputGradImpl;
using dl::cpu::ConvShape;
using dl::cpu::ConvWeightGradImpl;
using dl::cpu::plan_conv;

// Turns the packed GEMM and the packed weight gradient on or off for one scope.
struct PackedSwitches {
  bool gemm_was = dl::cpu::packed_gemm_available(), wgrad_was = dl::cpu::packed_wgrad_enabled();
  PackedSwitches(bool gemm, bool wgrad) {
    dl::cpu::set_packed_gemm_enabled(gemm);
    dl::cpu::set_packed_wgrad_enabled(wgrad);
  }
  ~PackedSwitches() {
    dl::cpu::set_packed_gemm_enabled(gemm_was);
    dl::cpu::set_packed_wgrad_enabled(wgrad_was);
  }
};

std::string str(const ConvShape& s) {
  return "input (" + std::to_string(s.N) + ", " + std::to_string(s.C) + ", " + std::to_string(s.H) + ", " +
         std::to_string(s.W) + ") weight (" + std::to_string(s.OC) + ", " + std::to_string(s.C) + ", " +
         std::to_string(s.KH) + ", " + std::to_string(s.KW) + ") stride " + std::to_string(s.stride) + " pad " +
         std::to_string(s.pad);
}

TEST(Conv2dPlan, ResNet18CifarLayers) {
  if (!dl::cpu::packed_gemm_available() || !dl::cpu::packed_wgrad_enabled() ||
      !dl::cpu::conv2d_forward_winograd_fits(64, 64, 3, 3, 1, 1))
    GTEST_SKIP() << "no AVX2+FMA, or DL_PACKED_GEMM=0 / DL_PACKED_WGRAD=0 / DL_WINOGRAD=0: the fast paths are off";
  struct Row {
    ConvShape s;
    ConvForwardImpl fwd;
    ConvInputGradImpl dgrad;
    ConvWeightGradImpl wgrad;
  };
  using F = ConvForwardImpl;
  using D = ConvInputGradImpl;
  using G = ConvWeightGradImpl;
  const Row rows[] = {
      {{64, 3, 32, 32, 64, 3, 3, 1, 1}, F::kPackedDirect, D::kFlippedForward, G::kIm2colBlas},       // stem: K = 27
      {{64, 64, 32, 32, 64, 3, 3, 1, 1}, F::kWinograd, D::kFlippedForward, G::kWinograd},            // layer1
      {{64, 64, 32, 32, 128, 3, 3, 2, 1}, F::kPackedDirect, D::kSubPixel, G::kPackedPanels},         // layer2 in
      {{64, 64, 32, 32, 128, 1, 1, 2, 0}, F::kPackedDirect, D::kCol2im, G::kIm2colBlas},             // shortcut
      {{64, 128, 16, 16, 256, 3, 3, 2, 1}, F::kPackedDirect, D::kCol2im, G::kIm2colBlas},            // layer3 in
      {{64, 16, 16, 16, 32, 3, 3, 2, 1}, F::kPackedDirect, D::kCol2im, G::kPackedPanels},            // width 16
      {{64, 512, 4, 4, 512, 3, 3, 1, 1}, F::kWinograd, D::kFlippedForward, G::kWinograd},            // layer4
      {{64, 16, 32, 32, 16, 3, 3, 1, 1}, F::kPackedDirect, D::kFlippedForward, G::kPackedPanels},    // width 16
      {{64, 32, 16, 16, 32, 3, 3, 1, 1}, F::kPackedDirect, D::kFlippedForward, G::kPackedPanels},    // width 16, layer2
      {{64, 64, 8, 8, 64, 3, 3, 1, 1}, F::kWinograd, D::kFlippedForward, G::kPackedPanels},          // width 16, layer3
      {{64, 128, 4, 4, 128, 3, 3, 1, 1}, F::kPackedDirect, D::kFlippedForward, G::kPackedPanels},    // width 16, layer4
      {{64, 64, 32, 32, 64, 1, 1, 1, 0}, F::kPackedDirect, D::kFlippedForward, G::kPackedPanels},    // 1x1 stride 1
      {{8, 8, 3, 3, 8, 3, 3, 1, 1}, F::kIm2colPacked, D::kFlippedForward, G::kPackedPanels},         // 9 pixels
  };
  for (const Row& r : rows) {
    const dl::cpu::ConvPlan p = plan_conv(r.s);
    EXPECT_EQ(p.forward, r.fwd) << str(r.s) << ": " << dl::cpu::impl_name(p.forward);
    EXPECT_EQ(p.input_grad, r.dgrad) << str(r.s) << ": " << dl::cpu::impl_name(p.input_grad);
    EXPECT_EQ(p.weight_grad, r.wgrad) << str(r.s) << ": " << dl::cpu::impl_name(p.weight_grad);
  }
}

TEST(Conv2dPlan, WithoutPackedGemmEverythingIsOpenBlas) {
  PackedSwitches off(false, true);
  const ConvShape same{4, 16, 8, 8, 16, 3, 3, 1, 1}, pointwise{4, 16, 8, 8, 16, 1, 1, 1, 0};
  EXPECT_EQ(plan_conv(same).forward, ConvForwardImpl::kIm2colBlas);
  EXPECT_EQ(plan_conv(same).weight_grad, ConvWeightGradImpl::kIm2colBlas);
  EXPECT_EQ(plan_conv(same).input_grad, ConvInputGradImpl::kFlippedForward);  // a forward on OpenBLAS
  EXPECT_EQ(plan_conv(pointwise).input_grad, ConvInputGradImpl::kCol2im);     // direct (C, OC)(OC, P) GEMM
}

// Shapes for the fast-vs-ref comparison: odd sizes, strides 1-3, pads 0-2, 1x1 to 5x5 and
// non-square kernels, channel counts on and off multiples of 16, batch 1 and several blocks.
const ConvShape kShapes[] = {
    {2, 3, 8, 8, 5, 3, 3, 1, 1},    {3, 16, 9, 7, 6, 3, 3, 1, 1},   {2, 16, 16, 16, 7, 3, 3, 2, 1},
    {2, 8, 12, 12, 5, 1, 1, 2, 0},  {1, 5, 11, 13, 4, 5, 5, 2, 2},  {2, 4, 9, 9, 3, 3, 5, 3, 1},
    {4, 32, 4, 4, 12, 3, 3, 1, 1},  {2, 6, 3, 3, 5, 3, 3, 1, 1},    {3, 16, 10, 10, 9, 1, 1, 1, 0},
    {2, 16, 32, 32, 8, 3, 3, 2, 1}, {2, 7, 6, 6, 3, 2, 2, 1, 0},    {1, 16, 8, 8, 140, 3, 3, 2, 1},
    {2, 3, 7, 7, 4, 3, 3, 1, 0},    {2, 64, 17, 15, 66, 3, 3, 1, 1},
};

struct Reached {
  std::set<ConvForwardImpl> fwd;
  std::set<ConvInputGradImpl> dgrad;
  std::set<ConvWeightGradImpl> wgrad;
};

// Forward and every gradient of the fast convolution against the reference, on one shape.
void expect_fast_matches_ref(const ConvShape& s, Reached& reached) {
  const dl::cpu::ConvPlan plan = plan_conv(s);
  reached.fwd.insert(plan.forward);
  reached.dgrad.insert(plan.input_grad);
  reached.wgrad.insert(plan.weight_grad);
  const int64_t OH = s.OH(), OW = s.OW();
  const auto x = dl::test::lcg_values(s.N * s.C * s.H * s.W, 1), w = dl::test::lcg_values(s.OC * s.C * s.KH * s.KW, 2);
  const auto b = dl::test::lcg_values(s.OC, 3), dy = dl::test::lcg_values(s.N * s.OC * OH * OW, 4);
  const auto dw0 = dl::test::lcg_values(w.size(), 5), db0 = dl::test::lcg_values(b.size(), 6);  // accumulated into
  std::vector<float> y[2], dx[2], dw[2] = {dw0, dw0}, db[2] = {db0, db0};
  for (int k = 0; k < 2; ++k) {
    y[k].assign(s.N * s.OC * OH * OW, 0.0f);
    dx[k].assign(x.size(), 7.0f);  // written, not accumulated: the 7s must vanish
    auto fwd = k == 0 ? dl::ref::conv2d_forward : dl::cpu::conv2d_forward;
    auto bwd = k == 0 ? dl::ref::conv2d_backward : dl::cpu::conv2d_backward;
    fwd(y[k].data(), x.data(), w.data(), b.data(), s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, s.stride, s.pad);
    bwd(dx[k].data(), dw[k].data(), db[k].data(), dy.data(), x.data(), w.data(), s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW,
        s.stride, s.pad);
  }
  // float sums of up to C KH KW (forward, input gradient) or N OH OW (weight gradient) terms of |.| <= 1
  const float tol_fwd = 2e-6f * s.C * s.KH * s.KW, tol_w = 2e-6f * s.N * OH * OW + 1e-6f;
  const std::string where = str(s) + " (" + dl::cpu::impl_name(plan.forward) + ", " +
                            dl::cpu::impl_name(plan.input_grad) + ", " + dl::cpu::impl_name(plan.weight_grad) + ")";
  EXPECT_TRUE(dl::test::all_close(y[1], y[0], tol_fwd, 1e-5f)) << where << ": output";
  EXPECT_TRUE(dl::test::all_close(dx[1], dx[0], 2e-6f * s.OC * s.KH * s.KW, 1e-5f)) << where << ": input gradient";
  EXPECT_TRUE(dl::test::all_close(dw[1], dw[0], tol_w, 1e-5f)) << where << ": weight gradient";
  EXPECT_TRUE(dl::test::all_close(db[1], db[0], tol_w, 1e-5f)) << where << ": bias gradient";
}

TEST(Conv2dPlan, FastMatchesRefOnEveryPath) {
  Reached reached;
  for (bool gemm : {true, false})
    for (bool wgrad : {true, false}) {
      PackedSwitches sw(gemm, wgrad);
      for (const ConvShape& s : kShapes) expect_fast_matches_ref(s, reached);
    }
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: only the OpenBLAS paths were compared";
  const size_t winograd = dl::cpu::conv2d_forward_winograd_fits(64, 64, 3, 3, 1, 1) ? 1u : 0u;  // DL_WINOGRAD=0: 0
  EXPECT_EQ(reached.fwd.size(), 3u + winograd) << "not every forward implementation was reached";
  EXPECT_EQ(reached.dgrad.size(), 3u) << "not every input-gradient implementation was reached";
  EXPECT_EQ(reached.wgrad.size(), 2u + winograd) << "not every weight-gradient implementation was reached";
}

}  // namespace
