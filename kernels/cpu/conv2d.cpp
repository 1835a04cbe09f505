// conv2d.cpp - the fast CPU convolution: asks kernels/cpu/conv2d_plan.h which implementation runs
// the forward, the input gradient and the weight gradient, and runs it.
//
// The definition is kernels/ref/conv2d.cpp (a few nested loops); everything here computes the same
// sums, faster, and is tested against it (tests/test_conv2d.cpp). What each implementation buys is
// measured in docs/performance.md.
#include "kernels/cpu/conv2d.h"

#include "kernels/cpu/conv2d_dgrad_packed.h"
#include "kernels/cpu/conv2d_im2col.h"
#include "kernels/cpu/conv2d_packed.h"
#include "kernels/cpu/conv2d_plan.h"
#include "kernels/cpu/conv2d_wgrad_packed.h"
#include "kernels/cpu/conv2d_winograd.h"
#include "tensor/error.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

// dbias[o] += sum over n, p of dout[n, o, p]; one thread per o, a fixed order.
void bias_grad(float* dbias, const float* dout, const ConvShape& s) {
  const int64_t P = s.OH() * s.OW();
#pragma omp parallel for schedule(static) if (s.N * s.OC * P > 65536)
  for (int64_t o = 0; o < s.OC; ++o) {
    float acc = 0.0f;
    for (int64_t n = 0; n < s.N; ++n) {
      const float* src = dout + (n * s.OC + o) * P;
      float part = 0.0f;
      for (int64_t p = 0; p < P; ++p) part += src[p];
      acc += part;
    }
    dbias[o] += acc;
  }
}

// Stride 1: dinp is itself a stride-1 convolution of dout with the flipped, channel-swapped weight
//   Wf[c, o, kh, kw] = W[o, c, KH-1-kh, KW-1-kw],  padding KH-1-pad
// (derivation: docs/conv2d.md), so it runs on the forward's fastest path.
void input_grad_flipped(float* dinp, const float* dout, const float* weight, const ConvShape& s) {
  const int64_t C = s.C, OC = s.OC, KH = s.KH, KW = s.KW;
  Tensor wf = Tensor::empty({C * OC * KH * KW});
  float* wfp = wf.data();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw)
          wfp[((c * OC + o) * KH + kh) * KW + kw] = weight[((o * C + c) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw)];
  conv2d_forward(dinp, dout, wfp, nullptr, s.N, OC, s.OH(), s.OW(), C, KH, KW, 1, KH - 1 - s.pad);
}

}  // namespace

void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  const ConvShape s{N, C, H, W, OC, KH, KW, stride, pad};
  if (N == 0 || s.OH() * s.OW() == 0) return;
  switch (plan_conv(s).forward) {
    case ConvForwardImpl::kWinograd: return conv2d_forward_winograd(out, inp, weight, bias, N, C, H, W, OC);
    case ConvForwardImpl::kPackedDirect: {
      const bool ran = conv2d_forward_packed(out, inp, weight, bias, N, C, H, W, OC, KH, KW, stride, pad);
      DL_CHECK(ran, "conv2d: the plan chose the packed forward but it declined the shape");
      return;
    }
    case ConvForwardImpl::kIm2colPacked: return conv2d_forward_im2col(out, inp, weight, bias, s, true);
    case ConvForwardImpl::kIm2colBlas: return conv2d_forward_im2col(out, inp, weight, bias, s, false);
  }
}

void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad) {
  const ConvShape s{N, C, H, W, OC, KH, KW, stride, pad};
  if (N == 0 || s.OH() * s.OW() == 0) return;
  const ConvPlan plan = plan_conv(s);
  if (dbias) bias_grad(dbias, dout, s);
  if (dweight) {
    if (plan.weight_grad == ConvWeightGradImpl::kWinograd) {
      conv2d_weight_grad_winograd(dweight, dout, inp, N, C, H, W, OC);
    } else if (plan.weight_grad == ConvWeightGradImpl::kPackedPanels) {
      const bool ran = conv2d_weight_grad_packed(dweight, dout, inp, N, C, H, W, OC, KH, KW, stride, pad);
      DL_CHECK(ran, "conv2d: the plan chose the packed weight gradient but it declined the shape");
    } else {
      conv2d_weight_grad_im2col(dweight, dout, inp, s);
    }
  }
  if (dinp) {
    switch (plan.input_grad) {
      case ConvInputGradImpl::kFlippedForward: return input_grad_flipped(dinp, dout, weight, s);
      case ConvInputGradImpl::kSubPixel: {
        const bool ran = conv2d_input_grad_packed(dinp, dout, weight, N, C, H, W, OC, KH, KW, stride, pad);
        DL_CHECK(ran, "conv2d: the plan chose the sub-pixel input gradient but it declined the shape");
        return;
      }
      case ConvInputGradImpl::kCol2im: return conv2d_input_grad_col2im(dinp, dout, weight, s);
    }
  }
}

}  // namespace dl::cpu
