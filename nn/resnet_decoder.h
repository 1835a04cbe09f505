// resnet_decoder.h - pl_bolts' resnet18_decoder(latent_dim, input_height=32, first_conv=False,
// maxpool1=False) (docs/protocol.md 1.3), with a base width w (64 = the paper):
//   linear: Linear(latent -> 8w*4*4) with bias, reshaped to (N, 8w, 4, 4); no activation
//   layer1: DecoderBlock(8w -> 4w, scale 2) + DecoderBlock(4w, 4w)    ->  8x8
//   layer2: 4w -> 2w (16x16); layer3: 2w -> w (32x32); layer4: 2 x DecoderBlock(w, w), scale 1
//   conv1: conv3x3(w -> 3), no bias, no output activation. Output (N, 3, 32, 32).
// DecoderBlock(inplanes, planes, scale), as pl_bolts writes it:
//   main:     conv1 = conv3x3(inplanes, inplanes) -> bn1 -> ReLU
//             -> conv2 = [Upsample x2 ->] conv3x3(inplanes, planes) -> bn2
//   shortcut: upsample = Sequential([Sequential(Upsample x2, conv1x1(inplanes, planes)) or conv1x1], BN)
//             when scale != 1 or inplanes != planes, else identity
//   out = ReLU(main + shortcut).
// Note the first conv keeps the input channel count; only conv2 changes it. PyTorch names follow
// from the nesting: "layer1.0.conv2.1.weight", "layer1.0.upsample.0.1.weight", "layer1.0.upsample.1.bias".
#pragma once
#include "nn/layers.h"

namespace dl::nn {

class DecoderBlock : public Module {
 public:
  DecoderBlock(int64_t in_planes, int64_t planes, int scale, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<Module> conv2;  // Conv2d, or Sequential(Upsample, Conv2d) when scale == 2
  std::shared_ptr<BatchNorm2d> bn1, bn2;
  std::shared_ptr<Sequential> upsample;  // null for the identity shortcut
};

class ResNetDecoder : public Module {
 public:
  ResNetDecoder(int64_t latent_dim, int64_t width = 64, Generator& gen = default_generator(),
                int64_t out_channels = 3);
  Tensor forward(const Tensor& z) override;  // (N, latent) -> (N, 3, 32, 32)

  std::shared_ptr<Linear> linear;
  std::shared_ptr<Sequential> layer1, layer2, layer3, layer4;
  std::shared_ptr<Conv2d> conv1;

 private:
  int64_t width_;
};

}  // namespace dl::nn
