// model.cpp - see model.h.
#include "experiments/model.h"

namespace dl::experiments {

Image2Vec::Image2Vec(const RunConfig& cfg, Generator& gen) : method(cfg.method_enum()) {
  const int64_t feat = cfg.feature_dim(), hid = cfg.hidden_dim;
  encoder = register_module("encoder", std::make_shared<nn::ResNetEncoder>(cfg.width, gen));
  cls_mlp = register_module("cls_mlp", std::make_shared<nn::MLP>(feat, hid, 10, cfg.head_bn_eps(10), gen));
  switch (method) {
    case Method::AE:
      head = register_module("ae_mlp", std::make_shared<nn::MLP>(feat, hid, cfg.latent_dim,
                                                                  cfg.head_bn_eps(cfg.latent_dim), gen));
      break;
    case Method::VAE:
      head = register_module("vae_mlp", std::make_shared<nn::MLP>(feat, hid, 2 * cfg.latent_dim,
                                                                   cfg.head_bn_eps(2 * cfg.latent_dim), gen));
      break;
    case Method::SimCLR:
      head = register_module("simclr_mlp", std::make_shared<nn::MLP>(feat, hid, cfg.simclr_dim,
                                                                      cfg.head_bn_eps(cfg.simclr_dim), gen));
      break;
    case Method::Supervised:
      break;
  }
  if (method == Method::AE || method == Method::VAE)
    decoder = register_module("decoder", std::make_shared<nn::ResNetDecoder>(cfg.latent_dim, cfg.width, gen));
}

}  // namespace dl::experiments
