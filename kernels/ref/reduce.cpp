// reduce.cpp - see reduce.h. Sums are accumulated in double.
#include "kernels/ref/reduce.h"

namespace dl::ref {

// out = scale sum_i inp[i];  inp (n), out (1).
void sum_all_forward(float* out, const float* inp, int64_t n, float scale) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += inp[i];
  out[0] = static_cast<float>(sum * scale);
}

// dinp[i] = scale dout[0];  dinp (n).
void sum_all_backward(float* dinp, const float* dout, int64_t n, float scale) {
  if (!dinp) return;
  for (int64_t i = 0; i < n; ++i) dinp[i] = dout[0] * scale;
}

// out[o, i] = scale sum_r inp[o, r, i];  inp (outer, R, inner), out (outer, inner).
void sum_dim_forward(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner, float scale) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0.0;
      for (int64_t r = 0; r < R; ++r) sum += inp[(o * R + r) * inner + i];
      out[o * inner + i] = static_cast<float>(sum * scale);
    }
}

// dinp[o, r, i] = scale dout[o, i];  dout (outer, inner), dinp (outer, R, inner).
void sum_dim_backward(float* dinp, const float* dout, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (!dinp) return;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < R; ++r)
      for (int64_t i = 0; i < inner; ++i) dinp[(o * R + r) * inner + i] = dout[o * inner + i] * scale;
}

}  // namespace dl::ref
