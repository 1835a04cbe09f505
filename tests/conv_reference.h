// conv_reference.h - the tap enumeration of a 2-d convolution, for the double-precision reference
// gradients of the packed-convolution tests (test_conv2d_wgrad_packed.cpp, test_conv2d_dgrad_packed.cpp).
#pragma once
#include <cstdint>

namespace dl::test {

// Input (N, C, H, W), weight (OC, C, KH, KW), stride s, zero padding pad on every side.
struct ConvShape {
  int64_t N, C, H, W, OC, KH, KW, pad, s = 1;
  int64_t OH() const { return (H + 2 * pad - KH) / s + 1; }
  int64_t OW() const { return (W + 2 * pad - KW) / s + 1; }
};

// f(n, o, c, kh, kw, oh, ow, ih, iw) for every (output pixel, weight tap) pair whose input pixel
// ih = oh s - pad + kh, iw = ow s - pad + kw lies inside the image.
template <class F>
void for_each_conv_tap(const ConvShape& d, F f) {
  const int64_t OH = d.OH(), OW = d.OW();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t o = 0; o < d.OC; ++o)
      for (int64_t c = 0; c < d.C; ++c)
        for (int64_t kh = 0; kh < d.KH; ++kh)
          for (int64_t kw = 0; kw < d.KW; ++kw)
            for (int64_t oh = 0; oh < OH; ++oh)
              for (int64_t ow = 0; ow < OW; ++ow) {
                const int64_t ih = oh * d.s - d.pad + kh, iw = ow * d.s - d.pad + kw;
                if (ih >= 0 && ih < d.H && iw >= 0 && iw < d.W) f(n, o, c, kh, kw, oh, ow, ih, iw);
              }
}

}  // namespace dl::test
