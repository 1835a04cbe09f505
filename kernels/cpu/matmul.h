// matmul.h - matrix products on the CPU: the general matmul and the linear layer y = x W^T + b.
// Forward and backward take their arguments in the same order (llm.c style); any gradient
// pointer may be null to skip it. Activation gradients are written (=), parameter gradients
// (dweight, dbias) accumulated (+=).
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (M, N) = op(a) (M, K) op(b) (K, N); a is (M, K) or, transposed, (K, M); b likewise.
void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b);
// da, db are written (=).
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b);

// out (N, OC) = inp (N, C) weight^T (C, OC) + bias (OC); bias may be null.
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC);
// dinp (N, C) =;  dweight (OC, C) +=;  dbias (OC) +=.
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC);

}  // namespace dl::cpu
