// axpy.h - CUDA twin of kernels/cpu/axpy.h: y += a * x over n floats (device pointers).
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/axpy.inc"  // the signatures and their contract

}  // namespace dl::cuda
