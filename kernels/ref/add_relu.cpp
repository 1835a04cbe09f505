// add_relu.cpp - see add_relu.h.
#include "kernels/ref/add_relu.h"

#include <algorithm>

namespace dl::ref {

// out[i] = max(a[i] + b[i], 0), shapes (n). std::max(s, 0) returns s when s is NaN.
void add_relu_forward(float* out, const float* a, const float* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::max(a[i] + b[i], 0.0f);
}

// dab[i] = dout[i] if out[i] > 0 else 0, shapes (n). A NaN output gives 0 (NaN > 0 is false).
void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dab[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

}  // namespace dl::ref
