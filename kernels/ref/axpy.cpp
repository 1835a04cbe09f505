// axpy.cpp - see axpy.h.
#include "kernels/ref/axpy.h"

namespace dl::ref {

// y[i] = y[i] + a x[i]; x, y (n).
void axpy(float* y, const float* x, float a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = y[i] + a * x[i];
}

}  // namespace dl::ref
