// axpy.h - y += a * x over n floats (the BLAS level-1 update; used to sum gradients and by
// optimizers).
#pragma once
#include <cstdint>

namespace dl::cpu {

void axpy(float* y, const float* x, float a, int64_t n);

}  // namespace dl::cpu
