// mse_loss.cpp - differentiable mean squared error (kernels/{cpu,cuda}/mse_loss.*).
// Only pred receives a gradient (the target is data: the AE/VAE reconstruct the clean image).
#include "autograd/functions.h"
#include "kernels/cpu/mse_loss.h"
#include "kernels/ref/mse_loss.h"
#include "kernels/cuda/mse_loss.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor mse_loss(const Tensor& pred, const Tensor& target) {
  DL_CHECK(pred.defined() && target.defined(), "mse_loss: pred and target must be defined");
  DL_CHECK(pred.shape() == target.shape(), "mse_loss: pred ", pred.shape().str(), " and target ",
           target.shape().str(), " must have the same shape");
  DL_CHECK(pred.dtype() == DType::F32 && target.dtype() == DType::F32 && pred.numel() > 0,
           "mse_loss: needs non-empty f32 tensors, got pred ", pred.shape().str(), " ", dtype_name(pred.dtype()),
           " and target ", dtype_name(target.dtype()));
  DL_CHECK_SAME_DEVICE("mse_loss", pred, target);
  const int64_t n = pred.numel();
  Tensor loss = Tensor::empty({}, DType::F32, pred.device());
  DL_DISPATCH(pred.device(), mse_loss_forward, loss.data(), pred.data(), target.data(), n);
  if (needs_grad({&pred})) {
    record("mse_loss", loss, {pred}, [pred, target, n](const Tensor& dloss) {
      Tensor dpred = Tensor::empty(pred.shape(), DType::F32, pred.device());
      DL_DISPATCH(pred.device(), mse_loss_backward, dpred.data(), dloss.data(), pred.data(), target.data(), n);
      accumulate_grad(pred, dpred);
    });
  }
  return loss;
}

}  // namespace dl
