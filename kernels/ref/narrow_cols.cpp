// narrow_cols.cpp - see narrow_cols.h.
#include "kernels/ref/narrow_cols.h"

namespace dl::ref {

// out[n, j] = inp[n, begin + j];  inp (N, D), out (N, w).
void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < w; ++j) out[n * w + j] = inp[n * D + begin + j];
}

// dinp[n, d] = dout[n, d - begin] if begin <= d < begin + w, else 0;  dout (N, w), dinp (N, D).
void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t d = 0; d < D; ++d) dinp[n * D + d] = (d >= begin && d < begin + w) ? dout[n * w + d - begin] : 0.0f;
}

}  // namespace dl::ref
