// sgd.h - one SGD step over n parameters, in place (PyTorch semantics), plus the squared norm
// LARS needs for its trust ratio.
//   d = grad_scale * (grad + weight_decay * param)     (grad_scale = 1 for SGD, the LARS ratio for LARS)
//   if momentum != 0:  buf = first_step ? d : momentum * buf + (1 - dampening) * d
//                      d = nesterov ? d + momentum * buf : buf
//   param -= lr * d
// momentum_buf may be null when momentum == 0.
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/sgd.inc"  // the signatures and their contract

}  // namespace dl::cpu
