// conv2d.h - the fast 2-d convolution on the CPU. Cross-correlation as in PyTorch, any kernel
// size, stride >= 1, pad >= 0:  OH = (H + 2 pad - KH) / stride + 1,  OW = (W + 2 pad - KW) / stride + 1.
// Read the definition first: kernels/ref/conv2d.h (same arguments). Which implementation runs for
// which shape: kernels/cpu/conv2d_plan.h and the table in docs/conv2d.md. Every implementation's
// work split depends on the shapes only, so results are bitwise identical whatever the OpenMP
// thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/conv2d.inc"  // the signatures and their contract

}  // namespace dl::cpu
