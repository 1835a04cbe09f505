// binary.cpp - differentiable add/sub/mul/div with broadcast b, and the scalar versions
// (kernels: kernels/{cpu,cuda}/binary.*). The output always has a's shape; b is a's shape or the
// smaller operand. Both a and b may require grad; db is reduced over the broadcast dims.
#include "autograd/functions.h"
#include "kernels/cpu/binary.h"
#include "kernels/ref/binary.h"
#include "kernels/cuda/binary.h"
#include "kernels/dispatch.h"

namespace dl {
namespace {

// a viewed as (outer, C, inner) with b (C) applying along C; see kernels/cpu/binary.h.
struct BroadcastDims {
  int64_t outer, C, inner;
};

BroadcastDims broadcast_dims(const char* op, const Tensor& a, const Tensor& b) {
  DL_CHECK(a.defined() && b.defined(), op, ": undefined operand");
  DL_CHECK_SAME_DEVICE(op, a, b);
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const int64_t n = a.numel();
  if (sb == sa) return {1, n, 1};
  if (sb.numel() == 1) return {1, 1, n};
  if (sb.ndim() == 1 && (sa.ndim() == 2 || sa.ndim() == 4) && sb[0] == sa[1])
    return {sa[0], sa[1], sa.ndim() == 4 ? sa[2] * sa[3] : 1};
  if (sa.ndim() == 2 && sb == Shape{sa[0], 1}) return {1, sa[0], sa[1]};
  DL_FAIL(op, ": cannot broadcast b ", sb.str(), " to a ", sa.str(),
          " (b must have a's shape, one element, (C) per channel of (N, C) or (N, C, H, W), or (N, 1) per row "
          "of (N, D))");
}

// The kernels of one binary op, so the four public functions share one body.
using ForwardFn = void (*)(float*, const float*, const float*, int64_t, int64_t, int64_t);
using BackwardFn = void (*)(float*, float*, const float*, const float*, const float*, int64_t, int64_t, int64_t);
struct BinaryKernels {
  ForwardFn ref_fwd, cpu_fwd, cuda_fwd;
  BackwardFn ref_bwd, cpu_bwd, cuda_bwd;
  // The pair that runs on `device` (for CPU: ref or fast, kernels/cpu_kernels.h).
  ForwardFn forward(Device device) const {
    return device != Device::CPU ? cuda_fwd : cpu_kernels() == CpuKernels::Ref ? ref_fwd : cpu_fwd;
  }
  BackwardFn backward(Device device) const {
    return device != Device::CPU ? cuda_bwd : cpu_kernels() == CpuKernels::Ref ? ref_bwd : cpu_bwd;
  }
};

#ifdef DL_WITH_CUDA
#define DL_BINARY_KERNELS(name)                                                             \
  BinaryKernels{ref::name##_forward, cpu::name##_forward, cuda::name##_forward, ref::name##_backward, \
                cpu::name##_backward, cuda::name##_backward}
#else
#define DL_BINARY_KERNELS(name) \
  BinaryKernels{ref::name##_forward, cpu::name##_forward, nullptr, ref::name##_backward, cpu::name##_backward, nullptr}
#endif

// da_is_dout: add and sub have dL/da = dout exactly, so a receives dout itself (no copy; the tape
// holds no other reference to it). db is always a fresh buffer, so a.grad and b.grad never alias.
Tensor binary(const char* op, const Tensor& a, const Tensor& b, bool da_is_dout, const BinaryKernels& kernels) {
  const BroadcastDims d = broadcast_dims(op, a, b);
  const ForwardFn fwd = kernels.forward(a.device());
  DL_CHECK(fwd, op, ": tensor is on CUDA but this build has no CUDA backend");
  Tensor out = Tensor::empty(a.shape(), DType::F32, a.device());
  fwd(out.data(), a.data(), b.data(), d.outer, d.C, d.inner);
  if (needs_grad({&a, &b})) {
    BackwardFn bwd = kernels.backward(a.device());
    record(op, out, {a, b}, [a, b, d, bwd, da_is_dout](const Tensor& dout) {
      const bool write_da = a.requires_grad() && !da_is_dout;
      Tensor da = write_da ? Tensor::empty(a.shape(), DType::F32, a.device()) : Tensor();
      Tensor db = b.requires_grad() ? Tensor::empty(b.shape(), DType::F32, b.device()) : Tensor();
      if (write_da || db.defined())
        bwd(write_da ? da.data() : nullptr, db.defined() ? db.data() : nullptr, dout.data(), a.data(), b.data(),
            d.outer, d.C, d.inner);
      accumulate_grad(a, da_is_dout ? dout : da);
      accumulate_grad(b, db);
    });
  }
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary("add", a, b, true, DL_BINARY_KERNELS(add)); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary("sub", a, b, true, DL_BINARY_KERNELS(sub)); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary("mul", a, b, false, DL_BINARY_KERNELS(mul)); }
Tensor div(const Tensor& a, const Tensor& b) { return binary("div", a, b, false, DL_BINARY_KERNELS(div)); }

Tensor add_scalar(const Tensor& a, float s) {
  Tensor out = Tensor::empty(a.shape(), DType::F32, a.device());
  DL_DISPATCH(a.device(), add_scalar_forward, out.data(), a.data(), s, a.numel());
  if (needs_grad({&a})) {
    record("add_scalar", out, {a}, [a, s](const Tensor& dout) {
      Tensor da = Tensor::empty(a.shape(), DType::F32, a.device());
      DL_DISPATCH(a.device(), add_scalar_backward, da.data(), dout.data(), s, a.numel());
      accumulate_grad(a, da);
    });
  }
  return out;
}

Tensor mul_scalar(const Tensor& a, float s) {
  Tensor out = Tensor::empty(a.shape(), DType::F32, a.device());
  DL_DISPATCH(a.device(), mul_scalar_forward, out.data(), a.data(), s, a.numel());
  if (needs_grad({&a})) {
    record("mul_scalar", out, {a}, [a, s](const Tensor& dout) {
      Tensor da = Tensor::empty(a.shape(), DType::F32, a.device());
      DL_DISPATCH(a.device(), mul_scalar_backward, da.data(), dout.data(), s, a.numel());
      accumulate_grad(a, da);
    });
  }
  return out;
}

}  // namespace dl
