// losses.h - one training step's loss, as the reference's Image2Vec.training_step computes it
// (docs/protocol.md sections 1.4-1.7, 3 and 4):
//   h  = encoder(clean), h1 = encoder(view1), h2 = encoder(view2)   (in this order; each pass
//        normalizes with its own batch statistics and moves the BN running averages, so the
//        views are run even when the loss ignores them: docs/protocol.md 7.3; `view_passes`)
//   cls    = cross_entropy(cls_mlp(h.detach()), y)     (supervised: cls_mlp(h), no stop-gradient)
//   ae     = mse(decoder(ae_mlp(h)), clean)
//   vae    = mse(decoder(z), clean) + beta * KL,  [mean | logvar] = vae_mlp(h),
//            z = mean + exp(logvar / 2) * eps,  eps ~ N(0, 1) from `gen` (one sample)
//   simclr = nt_xent_cross_view(normalize(simclr_mlp(h1)), normalize(simclr_mlp(h2)), tau)
//   total  = cls + method loss (supervised: cls only)
// For the methods that do not use the views, their passes run without recording history (the
// reference records it but never differentiates it: same values, same BN updates, less memory).
#pragma once
#include <map>
#include <string>

#include "experiments/model.h"

namespace dl::experiments {

struct StepLoss {
  Tensor total;                          // shape (), differentiable
  std::map<std::string, Tensor> parts;  // "cls", "ae", "vae_recon", "vae_kl", "vae", "simclr" (shape ())
};

// model must be in train mode; all tensors on the model's device. view1/view2 may be undefined
// only when the method does not need them and cfg.view_passes is false.
StepLoss training_loss(Image2Vec& model, const RunConfig& cfg, const Tensor& clean, const Tensor& view1,
                       const Tensor& view2, const Tensor& labels, Generator& gen);

}  // namespace dl::experiments
