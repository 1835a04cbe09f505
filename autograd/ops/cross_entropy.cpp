// cross_entropy.cpp - differentiable fused softmax + cross-entropy (kernels/{cpu,cuda}/cross_entropy.*).
#include "autograd/functions.h"
#include "kernels/cpu/cross_entropy.h"
#include "kernels/ref/cross_entropy.h"
#include "kernels/cuda/cross_entropy.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor cross_entropy(const Tensor& logits, const Tensor& labels) {
  DL_CHECK(logits.defined() && logits.ndim() == 2 && logits.dtype() == DType::F32 && logits.size(0) > 0 &&
               logits.size(1) > 0,
           "cross_entropy: logits must be non-empty (N, K) f32, got ",
           logits.defined() ? logits.shape().str() : "undefined");
  const int64_t N = logits.size(0), K = logits.size(1);
  DL_CHECK(labels.defined() && labels.shape() == Shape{N} && labels.dtype() == DType::I32,
           "cross_entropy: labels must be int32 (", N, ",) for logits ", logits.shape().str(), ", got ",
           labels.defined() ? labels.shape().str() + " " + dtype_name(labels.dtype()) : "undefined");
  DL_CHECK_SAME_DEVICE("cross_entropy", logits, labels);
  // An out-of-range label would read outside its row. On the CPU the labels are checked here (free);
  // on CUDA reading them would wait for the GPU in every training step, so the kernel checks them
  // and the error is raised at the next synchronization (kernels/cuda/deferred_error.h).
  if (labels.device() == Device::CPU) {
    const int32_t* lab = labels.data_i32();
    for (int64_t i = 0; i < N; ++i)
      DL_CHECK(lab[i] >= 0 && lab[i] < K, "cross_entropy: label ", lab[i], " at index ", i, " is outside [0, ", K,
               ") for logits ", logits.shape().str(), " (K = ", K, " classes)");
  }
  Tensor loss = Tensor::empty({}, DType::F32, logits.device());
  Tensor lse = Tensor::empty({N}, DType::F32, logits.device());
  DL_DISPATCH(logits.device(), cross_entropy_forward, loss.data(), lse.data(), logits.data(), labels.data_i32(), N, K);
  if (needs_grad({&logits})) {
    record("cross_entropy", loss, {logits}, [logits, labels, lse, N, K](const Tensor& dloss) {
      Tensor dlogits = Tensor::empty(logits.shape(), DType::F32, logits.device());
      DL_DISPATCH(logits.device(), cross_entropy_backward, dlogits.data(), dloss.data(), logits.data(),
                  labels.data_i32(), lse.data(), N, K);
      accumulate_grad(logits, dlogits);
    });
  }
  return loss;
}

}  // namespace dl
