// unary.h - elementwise functions y = f(x) on the CPU, n floats each.
// Every backward has the same arguments (dinp, dout, inp, out, n) and WRITES (=)
// dinp = dout * f'(x), using whichever of inp (x) or out (y) gives the cheaper formula:
//   relu    y = max(x, 0)       dx = g [y > 0]        (mask from the output; a NaN x gives y NaN, dx 0)
//   sigmoid y = 1 / (1 + e^-x)  dx = g y (1 - y)
//   exp     y = e^x             dx = g y
//   log     y = ln x            dx = g / x
//   sqrt    y = sqrt x          dx = g / (2 y)
//   square  y = x^2             dx = 2 g x
//   neg     y = -x              dx = -g
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/unary.inc"  // the signatures and their contract

}  // namespace dl::cpu
