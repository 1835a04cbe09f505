// kl_normal.cpp - differentiable KL(N(mu, exp(logvar)) || N(0, 1)), mean over batch and latent
// dims, as the reference VAE computes it (kernels/{cpu,cuda}/kl_normal.*).
#include "autograd/functions.h"
#include "kernels/cpu/kl_normal.h"
#include "kernels/ref/kl_normal.h"
#include "kernels/cuda/kl_normal.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor kl_normal(const Tensor& mu, const Tensor& logvar) {
  DL_CHECK(mu.defined() && logvar.defined(), "kl_normal: mu and logvar must be defined");
  DL_CHECK(mu.shape() == logvar.shape() && mu.numel() > 0, "kl_normal: mu ", mu.shape().str(), " and logvar ",
           logvar.shape().str(), " must have the same non-empty shape");
  DL_CHECK(mu.dtype() == DType::F32 && logvar.dtype() == DType::F32, "kl_normal: mu and logvar must be f32");
  DL_CHECK_SAME_DEVICE("kl_normal", mu, logvar);
  const int64_t n = mu.numel();
  Tensor loss = Tensor::empty({}, DType::F32, mu.device());
  DL_DISPATCH(mu.device(), kl_normal_forward, loss.data(), mu.data(), logvar.data(), n);
  if (needs_grad({&mu, &logvar})) {
    record("kl_normal", loss, {mu, logvar}, [mu, logvar, n](const Tensor& dloss) {
      Tensor dmu = mu.requires_grad() ? Tensor::empty(mu.shape(), DType::F32, mu.device()) : Tensor();
      Tensor dlv = logvar.requires_grad() ? Tensor::empty(logvar.shape(), DType::F32, mu.device()) : Tensor();
      DL_DISPATCH(mu.device(), kl_normal_backward, dmu.defined() ? dmu.data() : nullptr,
                  dlv.defined() ? dlv.data() : nullptr, dloss.data(), mu.data(), logvar.data(), n);
      accumulate_grad(mu, dmu);
      accumulate_grad(logvar, dlv);
    });
  }
  return loss;
}

}  // namespace dl
