// conv2d_plan.cpp - the rules of conv2d_plan.h. Each rule keeps the implementation that measured
// fastest for its shapes (1 thread, batch 64, ResNet18-CIFAR shapes; docs/conv2d.md).
#include "kernels/cpu/conv2d_plan.h"

#include "kernels/cpu/conv2d_dgrad_packed.h"
#include "kernels/cpu/conv2d_packed.h"
#include "kernels/cpu/conv2d_wgrad_packed.h"
#include "kernels/cpu/conv2d_winograd.h"
#include "kernels/cpu/gemm_packed.h"

namespace dl::cpu {
namespace {

// Whether Winograd pays for a shape (kernels/cpu/conv2d_winograd.h). Its transforms' cost relative
// to its GEMMs scales as (C + OC) / (C OC), and small planes (2 or 4 tiles per tile row) make them
// dearer. Measured (bench_conv2d BM_conv2d_winograd_ab and BM_conv2d_winograd_wgrad_ab, C -> C,
// batch 256, two threads; docs/conv2d.md#winograd), Winograd time / direct time:
//   forward:         0.57-0.74 at 64-512 channels on 32x32-4x4 planes, 0.74-0.82 at 64 on 8x8,
//                    0.96-1.02 at 128 on 4x4, 0.80-0.89 at 32 on 16x16, 0.99-1.2 at 16 on 32x32;
//   weight gradient: 0.60-0.85 at 64-512 channels on 32x32-4x4, 0.93-1.04 at 64 on 8x8,
//                    1.05-1.21 at 128 on 4x4, 1.11 at 32.
// So: 64 channels in and out at least, and planes of more than `min_pixels` pixels unless both
// sides have 256 channels. 32 channels stays direct: about 2 % of a width-16 training step, and it
// would take the width-4 PyTorch twin (tests/test_twin_run.cpp) off the direct summation whose
// float32 drift its tolerances were calibrated on.
bool winograd_pays(const ConvShape& s, int64_t min_pixels) {
  const bool wide = s.C >= 256 && s.OC >= 256;
  return s.C >= 64 && s.OC >= 64 && (s.H * s.W > min_pixels || wide) &&
         conv2d_forward_winograd_fits(s.C, s.OC, s.KH, s.KW, s.stride, s.pad);
}

ConvForwardImpl plan_forward(const ConvShape& s) {
  if (winograd_pays(s, 16)) return ConvForwardImpl::kWinograd;  // not 4x4 planes below 256 channels
  // Output planes of < 16 pixels fill too few lanes of a 16-pixel panel: im2col batches images.
  if (conv2d_forward_packed_fits(s.N, s.OH(), s.OW())) return ConvForwardImpl::kPackedDirect;
  return packed_gemm_available() ? ConvForwardImpl::kIm2colPacked : ConvForwardImpl::kIm2colBlas;
}

ConvInputGradImpl plan_input_grad(const ConvShape& s) {
  const bool pointwise = s.KH == 1 && s.KW == 1 && s.pad == 0;
  // Stride 1: the flipped-kernel forward reduces over OC KH KW and needs no col2im (2-3x faster at
  // 16-64 channels). Without the packed GEMM a 1x1 keeps the direct (C, OC)(OC, P) GEMM instead.
  if (s.stride == 1 && s.KH == s.KW && s.pad <= s.KH - 1 && (!pointwise || packed_gemm_available()))
    return ConvInputGradImpl::kFlippedForward;
  // Strided: the sub-pixel convolutions win only on phase planes of >= 256 pixels with a kernel
  // larger than 1x1 (3x3 stride 2 from 32x32: 0.71x at 16 -> 32 channels); from 16x16 they were
  // 0.93-1.10x, from 8x8 1.10-1.32x, and 0.92-1.20x for 1x1 stride-2 shortcuts (three of four
  // phases are zero), which keep col2im.
  const bool large_phases = (s.H / s.stride) * (s.W / s.stride) >= 256;
  if (s.stride > 1 && s.KH * s.KW > 1 && large_phases &&
      conv2d_input_grad_packed_fits(s.N, s.C, s.H, s.W, s.stride, s.pad))
    return ConvInputGradImpl::kSubPixel;
  return ConvInputGradImpl::kCol2im;
}

ConvWeightGradImpl plan_weight_grad(const ConvShape& s) {
  if (winograd_pays(s, 64)) return ConvWeightGradImpl::kWinograd;  // not 8x8 or 4x4 below 256 channels
  // The shape rules (the 3-channel stem, strided 1x1 shortcuts, strided OC > 128 keep im2col)
  // live beside the kernel that they describe.
  if (conv2d_weight_grad_packed_fits(s.N, s.C, s.H, s.W, s.OC, s.KH, s.KW, s.stride, s.pad))
    return ConvWeightGradImpl::kPackedPanels;
  return ConvWeightGradImpl::kIm2colBlas;
}

}  // namespace

ConvPlan plan_conv(const ConvShape& s) { return {plan_forward(s), plan_input_grad(s), plan_weight_grad(s)}; }

const char* impl_name(ConvForwardImpl impl) {
  switch (impl) {
    case ConvForwardImpl::kWinograd: return "winograd-f2x2";
    case ConvForwardImpl::kPackedDirect: return "packed-direct";
    case ConvForwardImpl::kIm2colPacked: return "im2col+packed-gemm";
    case ConvForwardImpl::kIm2colBlas: return "im2col+openblas";
  }
  return "?";
}

const char* impl_name(ConvInputGradImpl impl) {
  switch (impl) {
    case ConvInputGradImpl::kFlippedForward: return "flipped-forward";
    case ConvInputGradImpl::kSubPixel: return "sub-pixel";
    case ConvInputGradImpl::kCol2im: return "openblas+col2im";
  }
  return "?";
}

const char* impl_name(ConvWeightGradImpl impl) {
  switch (impl) {
    case ConvWeightGradImpl::kWinograd: return "winograd-f2x2";
    case ConvWeightGradImpl::kPackedPanels: return "packed-panels";
    case ConvWeightGradImpl::kIm2colBlas: return "im2col+openblas";
  }
  return "?";
}

}  // namespace dl::cpu
