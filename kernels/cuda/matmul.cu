// matmul.cu - matmul and linear on cuBLAS (CUDA twins of kernels/cpu/matmul.cpp; same formulas,
// derivation: docs/derivations.md#matmul).
//
// Naive: a GEMM kernel of our own plus a separate bias-add pass. Here: cuBLAS, with the bias
// broadcast into the output first and the GEMM accumulating onto it (beta = 1), so no extra
// pass over the output. Bound: compute for large products; at the MLP sizes of this project
// (batch 256, 512 wide) launch latency and memory.
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/matmul.h"

namespace dl::cuda {

namespace {
// out (N, OC) row n = bias: the GEMM then adds x W^T with beta = 1.
__global__ void broadcast_rows_kernel(float* out, const float* bias, int64_t N, int64_t OC) {
  DL_GRID_STRIDE_LOOP(i, N * OC) out[i] = bias[i % OC];
}
}  // namespace

void matmul_forward(float* out, const float* a, const float* b, int64_t M, int64_t N, int64_t K,
                    bool trans_a, bool trans_b) {
  gemm(trans_a, trans_b, M, N, K, 1.0f, a, b, 0.0f, out);
}

void matmul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t M,
                     int64_t N, int64_t K, bool trans_a, bool trans_b) {
  if (da) {
    if (!trans_a) gemm(false, !trans_b, M, K, N, 1.0f, dout, b, 0.0f, da);  // (M,N)(N,K)
    else gemm(trans_b, true, K, M, N, 1.0f, b, dout, 0.0f, da);             // (K,N)(N,M)
  }
  if (db) {
    if (!trans_b) gemm(!trans_a, false, K, N, M, 1.0f, a, dout, 0.0f, db);  // (K,M)(M,N)
    else gemm(true, trans_a, N, K, M, 1.0f, dout, a, 0.0f, db);             // (N,M)(M,K)
  }
}

void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                    int64_t C, int64_t OC) {
  if (bias) {
    broadcast_rows_kernel<<<grid_for(N * OC), kBlock, 0, stream()>>>(out, bias, N, OC);
    CUDA_CHECK_LAUNCH();
  }
  gemm(false, true, N, OC, C, 1.0f, inp, weight, bias ? 1.0f : 0.0f, out);
}

void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t OC) {
  if (dinp) gemm(false, false, N, C, OC, 1.0f, dout, weight, 0.0f, dinp);    // (N,OC)(OC,C)
  if (dweight) gemm(true, false, OC, C, N, 1.0f, dout, inp, 1.0f, dweight);  // (OC,N)(N,C), +=
  if (dbias) add_channel_sums(dbias, dout, N, OC, 1);                         // column sums of dout
}

}  // namespace dl::cuda
