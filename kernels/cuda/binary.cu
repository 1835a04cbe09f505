// binary.cu - a op b with the broadcast of kernels/cpu/binary.h (CUDA twin of binary.cpp).
// a, out, da are (outer, C, inner); b, db are (C): element (o, c, i) uses b[c]. The forward and
// da are one elementwise kernel; db (written) is a per-channel sum over (outer, inner) through
// channel_sums (fixed-order partials, no atomics), or elementwise when nothing is reduced.
//
// Naive: materialize the broadcast operand at a's shape, then an elementwise kernel, and db by
// atomicAdd. Here: b is indexed by channel inside the elementwise kernel (it stays in cache), and
// db is a fixed-order per-channel sum (deterministic, no atomics). Bound: memory, 12 B per
// element for same-shape operands (8 B when b is broadcast).
#include "kernels/cuda/binary.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {

struct AddOp {
  __device__ static float f(float x, float y) { return x + y; }
  __device__ static float da(float g, float, float) { return g; }
  __device__ static float db(float g, float, float) { return g; }
};
struct SubOp {
  __device__ static float f(float x, float y) { return x - y; }
  __device__ static float da(float g, float, float) { return g; }
  __device__ static float db(float g, float, float) { return -g; }
};
struct MulOp {
  __device__ static float f(float x, float y) { return x * y; }
  __device__ static float da(float g, float, float y) { return g * y; }
  __device__ static float db(float g, float x, float) { return g * x; }
};
struct DivOp {  // d(x/y)/dy = -x / y^2
  __device__ static float f(float x, float y) { return x / y; }
  __device__ static float da(float g, float, float y) { return g / y; }
  __device__ static float db(float g, float x, float y) { return -g * x / (y * y); }
};

// a and b may be null for add/sub (their derivatives do not read them).
__device__ inline float load(const float* p, int64_t i) { return p ? p[i] : 0.0f; }

template <class Op>
__global__ void binary_forward_kernel(float* out, const float* a, const float* b, int64_t C, int64_t inner,
                                      int64_t n) {
  DL_GRID_STRIDE_LOOP(idx, n) out[idx] = Op::f(a[idx], b[(idx / inner) % C]);
}

template <class Op>
__global__ void binary_da_kernel(float* da, const float* dout, const float* a, const float* b, int64_t C,
                                 int64_t inner, int64_t n) {
  DL_GRID_STRIDE_LOOP(idx, n) da[idx] = Op::da(dout[idx], load(a, idx), load(b, (idx / inner) % C));
}

// db (C) when outer = inner = 1: one term per element.
template <class Op>
__global__ void binary_db_elementwise_kernel(float* db, const float* dout, const float* a, const float* b,
                                             int64_t n) {
  DL_GRID_STRIDE_LOOP(idx, n) db[idx] = Op::db(dout[idx], load(a, idx), load(b, idx));
}

template <class Op>
struct DbTerm {  // acc[0] += d(a op b)/db at element off, channel c
  const float* dout;
  const float* a;
  const float* b;
  __device__ void operator()(int64_t c, int64_t off, float* acc) const {
    acc[0] += Op::db(dout[off], load(a, off), load(b, c));
  }
};

template <class Op>
void forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  const int64_t n = outer * C * inner;
  if (n == 0) return;
  binary_forward_kernel<Op><<<grid_for(n), kBlock, 0, stream()>>>(out, a, b, C, inner, n);
  CUDA_CHECK_LAUNCH();
}

template <class Op>
void backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer, int64_t C,
              int64_t inner) {
  const int64_t n = outer * C * inner;
  if (n == 0) return;
  if (da) {
    binary_da_kernel<Op><<<grid_for(n), kBlock, 0, stream()>>>(da, dout, a, b, C, inner, n);
    CUDA_CHECK_LAUNCH();
  }
  if (!db) return;
  if (outer == 1 && inner == 1) {
    binary_db_elementwise_kernel<Op><<<grid_for(n), kBlock, 0, stream()>>>(db, dout, a, b, n);
    CUDA_CHECK_LAUNCH();
  } else {
    channel_sums<1>(db, DbTerm<Op>{dout, a, b}, outer, C, inner);
  }
}

}  // namespace

#define DL_BINARY_DEFINE(name, Op)                                                                        \
  void name##_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) { \
    forward<Op>(out, a, b, outer, C, inner);                                                              \
  }                                                                                                       \
  void name##_backward(float* da, float* db, const float* dout, const float* a, const float* b,            \
                       int64_t outer, int64_t C, int64_t inner) {                                         \
    backward<Op>(da, db, dout, a, b, outer, C, inner);                                                    \
  }
DL_BINARY_DEFINE(add, AddOp)
DL_BINARY_DEFINE(sub, SubOp)
DL_BINARY_DEFINE(mul, MulOp)
DL_BINARY_DEFINE(div, DivOp)
#undef DL_BINARY_DEFINE

namespace {
__global__ void add_scalar_kernel(float* out, const float* a, float s, int64_t n) {
  DL_GRID_STRIDE_LOOP(i, n) out[i] = a[i] + s;
}
__global__ void mul_scalar_kernel(float* out, const float* a, float s, int64_t n) {
  DL_GRID_STRIDE_LOOP(i, n) out[i] = a[i] * s;
}
}  // namespace

void add_scalar_forward(float* out, const float* a, float s, int64_t n) {
  if (n == 0) return;
  add_scalar_kernel<<<grid_for(n), kBlock, 0, stream()>>>(out, a, s, n);
  CUDA_CHECK_LAUNCH();
}
void add_scalar_backward(float* da, const float* dout, float /*s*/, int64_t n) {
  if (!da || n == 0) return;
  CUDA_CHECK(cudaMemcpyAsync(da, dout, static_cast<size_t>(n) * sizeof(float), cudaMemcpyDeviceToDevice, stream()));
}
void mul_scalar_forward(float* out, const float* a, float s, int64_t n) {
  if (n == 0) return;
  mul_scalar_kernel<<<grid_for(n), kBlock, 0, stream()>>>(out, a, s, n);
  CUDA_CHECK_LAUNCH();
}
void mul_scalar_backward(float* da, const float* dout, float s, int64_t n) {
  if (!da || n == 0) return;
  mul_scalar_kernel<<<grid_for(n), kBlock, 0, stream()>>>(da, dout, s, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
