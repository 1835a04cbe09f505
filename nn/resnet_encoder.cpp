// resnet_encoder.cpp - see resnet_encoder.h (pl_bolts components.py: EncoderBlock, ResNetEncoder).
#include "nn/resnet_encoder.h"

#include "tensor/error.h"

namespace dl::nn {

EncoderBlock::EncoderBlock(int64_t in_planes, int64_t planes, int stride, bool with_downsample, Generator& gen) {
  conv1 = register_module("conv1", std::make_shared<Conv2d>(in_planes, planes, 3, stride, 1, false, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(planes));
  conv2 = register_module("conv2", std::make_shared<Conv2d>(planes, planes, 3, 1, 1, false, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(planes));
  DL_CHECK(with_downsample || (stride == 1 && in_planes == planes), "EncoderBlock(", in_planes, " -> ", planes,
           ", stride ", stride, ") needs a downsample shortcut");
  if (with_downsample)
    downsample = register_module(
        "downsample", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                          std::make_shared<Conv2d>(in_planes, planes, 1, stride, 0, false, gen),
                          std::make_shared<BatchNorm2d>(planes)}));
}

Tensor EncoderBlock::forward(const Tensor& x) {
  Tensor out = bn1->forward_relu(conv1->forward(x));
  out = bn2->forward(conv2->forward(out));
  return add_relu(out, downsample ? downsample->forward(x) : x);
}

// pl_bolts _make_layer: the first block changes stride/channels (with a downsample shortcut when
// either changes), the second keeps them.
static std::shared_ptr<Sequential> make_layer(int64_t in_planes, int64_t planes, int stride, Generator& gen) {
  auto layer = std::make_shared<Sequential>();
  layer->push_back(std::make_shared<EncoderBlock>(in_planes, planes, stride, stride != 1 || in_planes != planes, gen));
  layer->push_back(std::make_shared<EncoderBlock>(planes, planes, 1, false, gen));
  return layer;
}

ResNetEncoder::ResNetEncoder(int64_t width, Generator& gen, int64_t in_channels) : width_(width) {
  DL_CHECK(width > 0, "ResNetEncoder: width must be positive, got ", width);
  conv1 = register_module("conv1", std::make_shared<Conv2d>(in_channels, width, 3, 1, 1, false, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(width));
  layer1 = register_module("layer1", make_layer(width, width, 1, gen));
  layer2 = register_module("layer2", make_layer(width, 2 * width, 2, gen));
  layer3 = register_module("layer3", make_layer(2 * width, 4 * width, 2, gen));
  layer4 = register_module("layer4", make_layer(4 * width, 8 * width, 2, gen));
}

Tensor ResNetEncoder::forward(const Tensor& x) {
  DL_CHECK(x.ndim() == 4 && x.size(1) == conv1->weight.size(1), "ResNetEncoder: expected (N, ",
           conv1->weight.size(1), ", H, W) images, got ", x.shape().str());
  Tensor h = bn1->forward_relu(conv1->forward(x));
  h = layer4->forward(layer3->forward(layer2->forward(layer1->forward(h))));
  return global_avg_pool(h);
}

}  // namespace dl::nn
