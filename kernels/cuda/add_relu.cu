// add_relu.cu - see add_relu.h. Memory-bound elementwise kernels: float4 loads/stores when every
// pointer is 16-byte aligned (fresh tensors from the pool are), scalar otherwise; the n % 4 tail
// is handled by the scalar loop of the same launch. Elementwise, hence deterministic.
//
// Naive: an add kernel then a relu kernel (20 B per element, plus the sum kept for the
// backward). Here: one pass, 12 B per element forward (read a, b; write out) and 12 B backward
// (read dout, out; write the one gradient both operands share). Bound: memory.
#include <cstdint>

#include "kernels/cuda/add_relu.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// std::max(a + b, 0.0f) as the CPU computes it: a NaN propagates (fmaxf would turn it into 0 and
// hide a diverging run from the trainer's non-finite loss check).
__device__ __forceinline__ float add_relu1(float a, float b) {
  const float y = a + b;
  return y < 0.0f ? 0.0f : y;
}
__device__ __forceinline__ float mask1(float g, float y) { return y > 0.0f ? g : 0.0f; }

// n4 = number of float4 groups handled vectorized (0 if not aligned); elements [4 n4, n) scalar.
__global__ void add_relu_forward_kernel(float* out, const float* a, const float* b, int64_t n, int64_t n4) {
  DL_GRID_STRIDE_LOOP(i, n4) {
    const float4 x = reinterpret_cast<const float4*>(a)[i], y = reinterpret_cast<const float4*>(b)[i];
    reinterpret_cast<float4*>(out)[i] =
        make_float4(add_relu1(x.x, y.x), add_relu1(x.y, y.y), add_relu1(x.z, y.z), add_relu1(x.w, y.w));
  }
  const int64_t tail = n - 4 * n4;
  DL_GRID_STRIDE_LOOP(t, tail) out[4 * n4 + t] = add_relu1(a[4 * n4 + t], b[4 * n4 + t]);
}

__global__ void add_relu_backward_kernel(float* dab, const float* dout, const float* out, int64_t n, int64_t n4) {
  DL_GRID_STRIDE_LOOP(i, n4) {
    const float4 g = reinterpret_cast<const float4*>(dout)[i], y = reinterpret_cast<const float4*>(out)[i];
    reinterpret_cast<float4*>(dab)[i] = make_float4(mask1(g.x, y.x), mask1(g.y, y.y), mask1(g.z, y.z), mask1(g.w, y.w));
  }
  const int64_t tail = n - 4 * n4;
  DL_GRID_STRIDE_LOOP(t, tail) dab[4 * n4 + t] = mask1(dout[4 * n4 + t], out[4 * n4 + t]);
}

}  // namespace

void add_relu_forward(float* out, const float* a, const float* b, int64_t n) {
  if (n <= 0) return;
  const int64_t n4 = aligned16(out) && aligned16(a) && aligned16(b) ? n / 4 : 0;
  add_relu_forward_kernel<<<grid_for(std::max<int64_t>(n4, n - 4 * n4)), kBlock, 0, stream()>>>(out, a, b, n, n4);
  CUDA_CHECK_LAUNCH();
}

void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n) {
  if (!dab || n <= 0) return;
  const int64_t n4 = aligned16(dab) && aligned16(dout) && aligned16(out) ? n / 4 : 0;
  add_relu_backward_kernel<<<grid_for(std::max<int64_t>(n4, n - 4 * n4)), kBlock, 0, stream()>>>(dab, dout, out, n,
                                                                                                n4);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
