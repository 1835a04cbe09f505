// resnet_decoder.cpp - see resnet_decoder.h (pl_bolts components.py: DecoderBlock, ResNetDecoder).
#include "nn/resnet_decoder.h"

#include "tensor/error.h"

namespace dl::nn {

using ModuleList = std::initializer_list<std::shared_ptr<Module>>;

DecoderBlock::DecoderBlock(int64_t in_planes, int64_t planes, int scale, Generator& gen) {
  DL_CHECK(scale == 1 || scale == 2, "DecoderBlock: scale must be 1 or 2, got ", scale);
  // Construction order follows pl_bolts' __init__ (conv1, bn1, conv2, bn2); the shortcut is
  // built before the block in _make_layer, which only matters for initialization order.
  conv1 = register_module("conv1", std::make_shared<Conv2d>(in_planes, in_planes, 3, 1, 1, false, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(in_planes));
  auto conv2_conv = std::make_shared<Conv2d>(in_planes, planes, 3, 1, 1, false, gen);
  if (scale == 1) conv2 = register_module("conv2", conv2_conv);
  else conv2 = register_module("conv2", std::make_shared<Sequential>(ModuleList{std::make_shared<Upsample>(), conv2_conv}));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(planes));
  if (scale != 1 || in_planes != planes) {
    auto conv = std::make_shared<Conv2d>(in_planes, planes, 1, 1, 0, false, gen);
    std::shared_ptr<Module> resize = conv;
    if (scale != 1) resize = std::make_shared<Sequential>(ModuleList{std::make_shared<Upsample>(), conv});
    upsample = register_module("upsample",
                               std::make_shared<Sequential>(ModuleList{resize, std::make_shared<BatchNorm2d>(planes)}));
  }
}

Tensor DecoderBlock::forward(const Tensor& x) {
  Tensor out = bn1->forward_relu(conv1->forward(x));
  out = bn2->forward(conv2->forward(out));
  return add_relu(out, upsample ? upsample->forward(x) : x);
}

static std::shared_ptr<Sequential> make_layer(int64_t in_planes, int64_t planes, int scale, Generator& gen) {
  auto layer = std::make_shared<Sequential>();
  layer->push_back(std::make_shared<DecoderBlock>(in_planes, planes, scale, gen));
  layer->push_back(std::make_shared<DecoderBlock>(planes, planes, 1, gen));
  return layer;
}

ResNetDecoder::ResNetDecoder(int64_t latent_dim, int64_t width, Generator& gen, int64_t out_channels) : width_(width) {
  DL_CHECK(latent_dim > 0 && width > 0, "ResNetDecoder(latent ", latent_dim, ", width ", width, "): must be positive");
  linear = register_module("linear", std::make_shared<Linear>(latent_dim, 8 * width * 4 * 4, true, gen));
  layer1 = register_module("layer1", make_layer(8 * width, 4 * width, 2, gen));
  layer2 = register_module("layer2", make_layer(4 * width, 2 * width, 2, gen));
  layer3 = register_module("layer3", make_layer(2 * width, width, 2, gen));
  layer4 = register_module("layer4", make_layer(width, width, 1, gen));
  conv1 = register_module("conv1", std::make_shared<Conv2d>(width, out_channels, 3, 1, 1, false, gen));
}

Tensor ResNetDecoder::forward(const Tensor& z) {
  DL_CHECK(z.ndim() == 2 && z.size(1) == linear->weight.size(1), "ResNetDecoder: expected latents (N, ",
           linear->weight.size(1), "), got ", z.shape().str());
  Tensor h = reshape(linear->forward(z), {z.size(0), 8 * width_, 4, 4});
  h = layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
  return conv1->forward(h);
}

}  // namespace dl::nn
