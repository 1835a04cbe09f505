// matmul.h - CUDA twins of kernels/cpu/matmul.h (cuBLAS); same arguments, device pointers.
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::cuda {

void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b);
void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b);
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC);
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC);

}  // namespace dl::cuda
