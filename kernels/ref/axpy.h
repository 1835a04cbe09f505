// axpy.h - the plain BLAS level-1 update y += a * x over n floats.
// Fast twin: kernels/cpu/axpy.h (same arguments).
#pragma once
#include <cstdint>

namespace dl::ref {

void axpy(float* y, const float* x, float a, int64_t n);

}  // namespace dl::ref
