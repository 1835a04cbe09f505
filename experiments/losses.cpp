// losses.cpp - see losses.h.
#include "experiments/losses.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace dl::experiments {

StepLoss training_loss(Image2Vec& model, const RunConfig& cfg, const Tensor& clean, const Tensor& view1,
                       const Tensor& view2, const Tensor& labels, Generator& gen) {
  const Method m = model.method;
  const bool simclr = m == Method::SimCLR;
  StepLoss out;

  // The three encoder passes, in the reference's order: clean, view 1, view 2.
  const Tensor h = model.encoder->forward(clean);  // (B, 8w)
  Tensor h1, h2;
  if (simclr || cfg.view_passes) {
    DL_CHECK(view1.defined() && view2.defined(), "training_loss: method ", method_key(m),
             " with view passes needs both views");
    if (simclr) {
      h1 = model.encoder->forward(view1);
      h2 = model.encoder->forward(view2);
    } else {
      NoGradGuard no_grad;  // only the BN running statistics matter
      model.encoder->forward(view1);
      model.encoder->forward(view2);
    }
  }

  // The online probe: stop-gradient except for the supervised baseline.
  const Tensor probe_in = m == Method::Supervised ? h : h.detach();
  out.parts["cls"] = cross_entropy(model.cls_mlp->forward(probe_in), labels);
  Tensor method_loss;
  switch (m) {
    case Method::AE: {
      const Tensor recon = model.decoder->forward(model.head->forward(h));
      method_loss = out.parts["ae"] = mse_loss(recon, clean);
      break;
    }
    case Method::VAE: {
      const int64_t L = cfg.latent_dim;
      const Tensor stats = model.head->forward(h);  // (B, 2L)
      const Tensor mu = narrow_cols(stats, 0, L), logvar = narrow_cols(stats, L, 2 * L);
      const Tensor eps = rand_normal({h.size(0), L}, 0.0f, 1.0f, gen, h.device());
      const Tensor z = add(mu, mul(exp(mul_scalar(logvar, 0.5f)), eps));  // q.rsample()
      const Tensor recon = out.parts["vae_recon"] = mse_loss(model.decoder->forward(z), clean);
      const Tensor kl = out.parts["vae_kl"] = kl_normal(mu, logvar);
      method_loss = out.parts["vae"] = add(recon, mul_scalar(kl, static_cast<float>(cfg.vae_beta)));
      break;
    }
    case Method::SimCLR: {
      const Tensor e1 = l2_normalize(model.head->forward(h1)), e2 = l2_normalize(model.head->forward(h2));
      method_loss = out.parts["simclr"] = nt_xent_cross_view(e1, e2, static_cast<float>(cfg.tau));
      break;
    }
    case Method::Supervised:
      break;
  }
  out.total = method_loss.defined() ? add(out.parts["cls"], method_loss) : out.parts["cls"];
  return out;
}

}  // namespace dl::experiments
