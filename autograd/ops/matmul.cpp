// matmul.cpp - differentiable matmul and linear (kernels: kernels/{cpu,cuda}/matmul.*).
#include "autograd/functions.h"
#include "kernels/cpu/matmul.h"
#include "kernels/ref/matmul.h"
#include "kernels/cuda/matmul.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  DL_CHECK(a.ndim() == 2 && b.ndim() == 2, "matmul needs 2-d tensors, got ", a.shape().str(), " and ",
           b.shape().str());
  DL_CHECK_SAME_DEVICE("matmul", a, b);
  const int64_t M = trans_a ? a.size(1) : a.size(0), K = trans_a ? a.size(0) : a.size(1);
  const int64_t Kb = trans_b ? b.size(1) : b.size(0), N = trans_b ? b.size(0) : b.size(1);
  DL_CHECK(K == Kb, "matmul shape mismatch: a ", a.shape().str(), (trans_a ? "^T" : ""), " x b ",
           b.shape().str(), (trans_b ? "^T" : ""), " (inner dims ", K, " vs ", Kb, ")");
  Tensor out = Tensor::empty({M, N}, DType::F32, a.device());
  DL_DISPATCH(a.device(), matmul_forward, out.data(), a.data(), b.data(), M, N, K, trans_a, trans_b);
  if (needs_grad({&a, &b})) {
    record("matmul", out, {a, b}, [a, b, M, N, K, trans_a, trans_b](const Tensor& dout) {
      Tensor da = a.requires_grad() ? Tensor::empty(a.shape(), DType::F32, a.device()) : Tensor();
      Tensor db = b.requires_grad() ? Tensor::empty(b.shape(), DType::F32, b.device()) : Tensor();
      DL_DISPATCH(a.device(), matmul_backward, da.defined() ? da.data() : nullptr,
                  db.defined() ? db.data() : nullptr, dout.data(), a.data(), b.data(), M, N, K, trans_a, trans_b);
      accumulate_grad(a, da);
      accumulate_grad(b, db);
    });
  }
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  DL_CHECK(x.ndim() == 2 && weight.ndim() == 2, "linear needs x (N, in) and weight (out, in), got x ",
           x.shape().str(), " and weight ", weight.shape().str());
  const int64_t N = x.size(0), C = x.size(1), OC = weight.size(0);
  DL_CHECK(weight.size(1) == C, "linear: x ", x.shape().str(), " does not match weight ", weight.shape().str(),
           " (in-features ", C, " vs ", weight.size(1), ")");
  DL_CHECK(!bias.defined() || bias.shape() == Shape{OC}, "linear: bias ", bias.defined() ? bias.shape().str() : "",
           " should be (", OC, ",) for weight ", weight.shape().str());
  DL_CHECK_SAME_DEVICE("linear", x, weight);
  Tensor out = Tensor::empty({N, OC}, DType::F32, x.device());
  DL_DISPATCH(x.device(), linear_forward, out.data(), x.data(), weight.data(),
              bias.defined() ? bias.data() : nullptr, N, C, OC);
  if (needs_grad({&x, &weight, &bias})) {
    record("linear", out, {x, weight, bias}, [x, weight, bias, N, C, OC](const Tensor& dout) {
      Tensor dx = x.requires_grad() ? Tensor::empty(x.shape(), DType::F32, x.device()) : Tensor();
      DL_DISPATCH(x.device(), linear_backward, dx.defined() ? dx.data() : nullptr, grad_buffer(weight),
                  grad_buffer(bias), dout.data(), x.data(), weight.data(), N, C, OC);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
