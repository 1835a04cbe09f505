// matmul.h - plain matrix products: the general matmul and the linear layer y = x W^T + b.
// Fast twin: kernels/cpu/matmul.h (same arguments; it calls OpenBLAS).
// Any gradient pointer may be null to skip it. Activation gradients (da, db, dinp) are written
// (=); parameter gradients (dweight, dbias) are accumulated (+=).
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::ref {

// out (M, N) = op(a) (M, K) op(b) (K, N); a is stored (M, K), or (K, M) when trans_a; b likewise
// (K, N), or (N, K) when trans_b.
void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b);
// da (a's storage shape), db (b's storage shape) written (=).
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b);

// out (N, OC) = inp (N, C) weight^T + bias (OC); weight (OC, C); bias may be null.
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC);
// dinp (N, C) =;  dweight (OC, C) +=;  dbias (OC) +=.
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC);

}  // namespace dl::ref
