// model.h - the reference's Image2Vec for one method (docs/protocol.md section 1): the CIFAR-style ResNet18
// encoder, the online probe `cls_mlp`, and the method's parts:
//   ae:         ae_mlp (feat -> hidden -> latent) and decoder (latent -> 3x32x32)
//   vae:        vae_mlp (feat -> hidden -> 2 latent: mean | logvar) and decoder
//   simclr:     simclr_mlp (feat -> hidden -> simclr_dim)
//   supervised: nothing more (cls_mlp is trained through the encoder)
// Parameter names follow the reference ("encoder.layer1.0.conv1.weight", "cls_mlp.bn.running_var").
// Every MLP's BN eps comes from RunConfig::head_bn_eps (the faithful protocol's eps = output dim).
#pragma once
#include <memory>

#include "experiments/config.h"
#include "nn/mlp.h"
#include "nn/resnet_decoder.h"
#include "nn/resnet_encoder.h"

namespace dl::experiments {

class Image2Vec : public nn::Module {
 public:
  // Parameters are drawn from `gen` (encoder, then heads, then decoder).
  Image2Vec(const RunConfig& cfg, Generator& gen);
  Tensor forward(const Tensor& images) override { return encoder->forward(images); }  // (N, 8w)

  Method method;
  std::shared_ptr<nn::ResNetEncoder> encoder;
  std::shared_ptr<nn::MLP> cls_mlp;
  std::shared_ptr<nn::MLP> head;             // ae_mlp / vae_mlp / simclr_mlp; null for supervised
  std::shared_ptr<nn::ResNetDecoder> decoder;  // AE and VAE only
};

}  // namespace dl::experiments
