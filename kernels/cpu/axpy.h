// axpy.h - y += a * x over n floats (the BLAS level-1 update; used to sum gradients and by
// optimizers).
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/axpy.inc"  // the signatures and their contract

}  // namespace dl::cpu
