// axpy.h - the plain BLAS level-1 update y += a * x over n floats.
// Fast twin: kernels/cpu/axpy.h (same arguments).
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/axpy.inc"  // the signatures and their contract

}  // namespace dl::ref
