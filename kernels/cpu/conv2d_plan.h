// conv2d_plan.h - which fast CPU implementation runs each part of a convolution, and why.
//
// kernels/cpu/conv2d.cpp asks plan_conv once per call and runs what it names; the table in
// docs/conv2d.md ("Which implementation runs") lists the same rules with their measurements. Every
// implementation computes the definition in kernels/ref/conv2d.h and is tested against it.
#pragma once
#include <cstdint>

namespace dl::cpu {

// The arguments of conv2d_forward / conv2d_backward that decide the path.
struct ConvShape {
  int64_t N, C, H, W, OC, KH, KW, stride, pad;
  int64_t OH() const { return (H + 2 * pad - KH) / stride + 1; }
  int64_t OW() const { return (W + 2 * pad - KW) / stride + 1; }
};

enum class ConvForwardImpl {
  kWinograd,      // conv2d_winograd.h: 3x3 stride 1 pad 1, F(2x2, 3x3), 16 GEMMs on the packed micro-kernel
  kPackedDirect,  // conv2d_packed.h: micro-kernel on a zero-padded phase-split copy, no im2col
  kIm2colPacked,  // im2col buffer, then our packed-A GEMM (conv2d_im2col.h, gemm_packed.h)
  kIm2colBlas,    // im2col buffer, then OpenBLAS (no AVX2+FMA, or DL_PACKED_GEMM=0)
};

enum class ConvInputGradImpl {
  kFlippedForward,  // stride 1: a forward convolution of dout with the flipped, transposed kernel
  kSubPixel,        // stride > 1: stride^2 stride-1 convolutions, one per input phase (conv2d_dgrad_packed.h)
  kCol2im,          // dcols = W^T dY with OpenBLAS, then col2im scatter-adds it into dinp
};

enum class ConvWeightGradImpl {
  kWinograd,      // conv2d_winograd.h: 3x3 stride 1 pad 1, the forward's tiles, 16 GEMMs over tiles
  kPackedPanels,  // conv2d_wgrad_packed.h: micro-kernel on B panels built from the input
  kIm2colBlas,    // im2col buffer, then dW += dY cols^T with OpenBLAS
};

struct ConvPlan {
  ConvForwardImpl forward;
  ConvInputGradImpl input_grad;
  ConvWeightGradImpl weight_grad;
};

// Depends on the shape, on whether the CPU has AVX2+FMA and on the switches DL_PACKED_GEMM=0 and
// DL_PACKED_WGRAD=0, DL_WINOGRAD=0 (gemm_packed.h, conv2d_wgrad_packed.h, conv2d_winograd.h); never
// on the thread count.
ConvPlan plan_conv(const ConvShape& s);

const char* impl_name(ConvForwardImpl impl);
const char* impl_name(ConvInputGradImpl impl);
const char* impl_name(ConvWeightGradImpl impl);

}  // namespace dl::cpu
