// unary.cu - y = f(x) elementwise (CUDA twin of kernels/cpu/unary.cpp; formulas in unary.h).
// Backward writes dinp = dout * f'(x) from inp or out, whichever the CPU uses.
//
// This is the naive kernel and that is enough: one thread per element, coalesced; nothing is
// reused. Bound: memory, 8 B per element forward, 12 B backward (g, x or y; dx).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/unary.h"

namespace dl::cuda {

namespace {

struct Relu {
  __device__ static float f(float x) { return x < 0.0f ? 0.0f : x; }  // NaN passes, as on the CPU
  __device__ static float df(float g, float, float y) { return y > 0.0f ? g : 0.0f; }
};
struct Sigmoid {
  __device__ static float f(float x) { return 1.0f / (1.0f + expf(-x)); }
  __device__ static float df(float g, float, float y) { return g * y * (1.0f - y); }
};
struct Exp {
  __device__ static float f(float x) { return expf(x); }
  __device__ static float df(float g, float, float y) { return g * y; }
};
struct Log {
  __device__ static float f(float x) { return logf(x); }
  __device__ static float df(float g, float x, float) { return g / x; }
};
struct Sqrt {
  __device__ static float f(float x) { return sqrtf(x); }
  __device__ static float df(float g, float, float y) { return g / (2.0f * y); }
};
struct Square {
  __device__ static float f(float x) { return x * x; }
  __device__ static float df(float g, float x, float) { return 2.0f * g * x; }
};
struct Neg {
  __device__ static float f(float x) { return -x; }
  __device__ static float df(float g, float, float) { return -g; }
};

__device__ inline float load(const float* p, int64_t i) { return p ? p[i] : 0.0f; }

template <class Op>
__global__ void unary_forward_kernel(float* out, const float* inp, int64_t n) {
  DL_GRID_STRIDE_LOOP(i, n) out[i] = Op::f(inp[i]);
}
template <class Op>
__global__ void unary_backward_kernel(float* dinp, const float* dout, const float* inp, const float* out,
                                      int64_t n) {
  DL_GRID_STRIDE_LOOP(i, n) dinp[i] = Op::df(dout[i], load(inp, i), load(out, i));
}

}  // namespace

#define DL_UNARY_DEFINE(name, Op)                                                                      \
  void name##_forward(float* out, const float* inp, int64_t n) {                                       \
    if (n == 0) return;                                                                                \
    unary_forward_kernel<Op><<<grid_for(n), kBlock, 0, stream()>>>(out, inp, n);                       \
    CUDA_CHECK_LAUNCH();                                                                               \
  }                                                                                                    \
  void name##_backward(float* dinp, const float* dout, const float* inp, const float* out, int64_t n) { \
    if (!dinp || n == 0) return;                                                                       \
    unary_backward_kernel<Op><<<grid_for(n), kBlock, 0, stream()>>>(dinp, dout, inp, out, n);          \
    CUDA_CHECK_LAUNCH();                                                                               \
  }
DL_UNARY_DEFINE(relu, Relu)
DL_UNARY_DEFINE(sigmoid, Sigmoid)
DL_UNARY_DEFINE(exp, Exp)
DL_UNARY_DEFINE(log, Log)
DL_UNARY_DEFINE(sqrt, Sqrt)
DL_UNARY_DEFINE(square, Square)
DL_UNARY_DEFINE(neg, Neg)
#undef DL_UNARY_DEFINE

}  // namespace dl::cuda
