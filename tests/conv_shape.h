// conv_shape.h - a convolution's shape as the packed-convolution tests list them:
// input (N, C, H, W), weight (OC, C, KH, KW), zero padding pad on every side, stride s.
#pragma once
#include <cstdint>

namespace dl::test {

struct ConvShape {
  int64_t N, C, H, W, OC, KH, KW, pad, s = 1;
  int64_t OH() const { return (H + 2 * pad - KH) / s + 1; }
  int64_t OW() const { return (W + 2 * pad - KW) / s + 1; }
};

}  // namespace dl::test
