// conv2d.cpp - the reference convolution; see conv2d.h. Every sum runs in double, in the order of
// the formula, so this file is the oracle for the fast CPU and the CUDA convolutions.
#include "kernels/ref/conv2d.h"

namespace dl::ref {

void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = bias ? bias[o] : 0.0;
          for (int64_t c = 0; c < C; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // zero padding
                sum += static_cast<double>(weight[((o * C + c) * KH + kh) * KW + kw]) *
                       inp[((n * C + c) * H + ih) * W + iw];
              }
          out[((n * OC + o) * OH + oh) * OW + ow] = static_cast<float>(sum);
        }
}

void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad) {
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  auto dy = [&](int64_t n, int64_t o, int64_t oh, int64_t ow) { return dout[((n * OC + o) * OH + oh) * OW + ow]; };
  if (dbias)
    for (int64_t o = 0; o < OC; ++o) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) sum += dy(n, o, oh, ow);
      dbias[o] += static_cast<float>(sum);
    }
  if (dweight)
    for (int64_t o = 0; o < OC; ++o)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) {
            double sum = 0.0;
            for (int64_t n = 0; n < N; ++n)
              for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                  const int64_t ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  sum += static_cast<double>(dy(n, o, oh, ow)) * inp[((n * C + c) * H + ih) * W + iw];
                }
            dweight[((o * C + c) * KH + kh) * KW + kw] += static_cast<float>(sum);
          }
  if (dinp)  // input pixel (ih, iw) was read by tap (kh, kw) of output (oh, ow) when oh s - pad + kh = ih
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t ih = 0; ih < H; ++ih)
          for (int64_t iw = 0; iw < W; ++iw) {
            double sum = 0.0;
            for (int64_t o = 0; o < OC; ++o)
              for (int64_t kh = 0; kh < KH; ++kh)
                for (int64_t kw = 0; kw < KW; ++kw) {
                  const int64_t th = ih + pad - kh, tw = iw + pad - kw;  // = oh s, ow s
                  if (th < 0 || tw < 0 || th % stride != 0 || tw % stride != 0) continue;
                  const int64_t oh = th / stride, ow = tw / stride;
                  if (oh >= OH || ow >= OW) continue;
                  sum += static_cast<double>(weight[((o * C + c) * KH + kh) * KW + kw]) * dy(n, o, oh, ow);
                }
            dinp[((n * C + c) * H + ih) * W + iw] = static_cast<float>(sum);
          }
}

}  // namespace dl::ref
