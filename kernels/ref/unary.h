// unary.h - plain elementwise functions y = f(x), n floats each.
// Fast twin: kernels/cpu/unary.h (same arguments). Every backward WRITES (=) dinp = dout f'(x)
// (a null dinp is skipped), from whichever of x = inp or y = out gives the simpler formula:
//   relu    y = x < 0 ? 0 : x (NaN stays)  dx = g [y > 0] (0 where y is NaN)
//   sigmoid y = 1 / (1 + e^-x)             dx = g y (1 - y)
//   exp     y = e^x                        dx = g y
//   log     y = ln x                       dx = g / x
//   sqrt    y = sqrt x                     dx = g / (2 y)
//   square  y = x^2                        dx = 2 g x
//   neg     y = -x                         dx = -g
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/unary.inc"  // the signatures and their contract

}  // namespace dl::ref
