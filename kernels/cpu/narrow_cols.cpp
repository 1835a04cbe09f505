// narrow_cols.cpp - see narrow_cols.h. A strided row copy; tiny next to the GEMMs around it.
#include "kernels/cpu/narrow_cols.h"

#include <algorithm>

namespace dl::cpu {

void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w) {
  for (int64_t n = 0; n < N; ++n) std::copy_n(inp + n * D + begin, w, out + n * w);
}

void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w) {
  for (int64_t n = 0; n < N; ++n) {
    float* row = dinp + n * D;
    std::fill_n(row, D, 0.0f);
    std::copy_n(dout + n * w, w, row + begin);
  }
}

}  // namespace dl::cpu
