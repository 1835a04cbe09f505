// resnet_encoder.h - the CIFAR-style ResNet18 encoder of pl_bolts
// (resnet18_encoder(first_conv=False, maxpool1=False), docs/protocol.md 1.1), with a base width w
// (64 = the paper; 16 or 32 for CPU presets):
//   conv1 3x3 s1 (3 -> w, no bias), bn1, ReLU            (no max-pool: pl_bolts' MaxPool2d(1, 1))
//   layer1..layer4: 2 EncoderBlocks each, w, 2w, 4w, 8w channels; the first block of layers
//     2-4 has stride 2 and a downsample shortcut = Sequential(conv1x1 stride 2, BN)
//   global average pool -> (N, 8w). No fc. No convolution has a bias.
// Parameter names equal PyTorch's: "conv1.weight", "layer2.0.downsample.1.running_var", ...
// Input (N, 3, H, W) with H, W divisible by 8 (32x32 -> 4x4 before pooling).
#pragma once
#include "nn/layers.h"

namespace dl::nn {

// BasicBlock: out = ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x)), shortcut = x or downsample(x).
class EncoderBlock : public Module {
 public:
  EncoderBlock(int64_t in_planes, int64_t planes, int stride, bool downsample, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
  std::shared_ptr<Sequential> downsample;  // null for the identity shortcut
};

class ResNetEncoder : public Module {
 public:
  explicit ResNetEncoder(int64_t width = 64, Generator& gen = default_generator(), int64_t in_channels = 3);
  Tensor forward(const Tensor& x) override;  // (N, C, H, W) -> (N, 8 * width)
  int64_t output_dim() const { return 8 * width_; }

  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<Sequential> layer1, layer2, layer3, layer4;

 private:
  int64_t width_;
};

}  // namespace dl::nn
