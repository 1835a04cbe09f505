// axpy.h - CUDA twin of kernels/cpu/axpy.h: y += a * x over n floats (device pointers).
#pragma once
#include <cstdint>

namespace dl::cuda {

void axpy(float* y, const float* x, float a, int64_t n);

}  // namespace dl::cuda
