// transforms.cpp - data/pipeline.h: the reference's clean transform and one SimCLR view
// (ssl_sandbox TrainDataTransform, docs/protocol.md section 2.3), built from
// the fixed-parameter functions of data/transforms.h. The random decisions are torchvision's:
//   RandomResizedCrop(size)        size = 32 (CIFAR) / 28 (MNIST), params as in get_params
//   RandomHorizontalFlip(p)        flip if u < p
//   RandomApply([ColorJitter], p)  apply unless p < u; jitter: a random order of the four
//                                  adjustments (randperm(4)), factors b, c, s ~ U(1-x, 1+x)
//                                  (lower end clamped at 0), hue ~ U(-x, x)
//   RandomGrayscale(p)             if u < p (a no-op on 1-channel MNIST, as for PIL 'L')
//   blur (off in the reference)    if u < p: sigma ~ U(0.1, 2.0), kernel int(0.1 size) made odd
// then the final transforms. All draws come from the caller's Generator, in a fixed order, so
// a view is a pure function of (image, generator state). Each call works on two stack buffers of
// 3x32x32 floats: no heap allocation per image.
#include <algorithm>
#include <cstring>
#include <utility>

#include "data/transforms.h"
#include "tensor/error.h"

namespace dl::data {

ImageSpec image_spec(DatasetKind kind) {
  return kind == DatasetKind::MNIST ? ImageSpec{1, 28, 28} : ImageSpec{3, 32, 32};
}

namespace {
// pl_bolts cifar10_normalization: [x / 255 for x in (125.3, 123.0, 113.9)], (63.0, 62.1, 66.7).
constexpr float kCifarMean[3] = {125.3f / 255.0f, 123.0f / 255.0f, 113.9f / 255.0f};
constexpr float kCifarStd[3] = {63.0f / 255.0f, 62.1f / 255.0f, 66.7f / 255.0f};
// scripts/image2vec.py mnist_transforms: Normalize((0.5,), (0.5,)).
constexpr float kMnistMean[1] = {0.5f};
constexpr float kMnistStd[1] = {0.5f};
constexpr int kMaxElems = kOutElems;  // the largest working image: 3x32x32
}  // namespace

const float* dataset_mean(DatasetKind kind) { return kind == DatasetKind::MNIST ? kMnistMean : kCifarMean; }
const float* dataset_std(DatasetKind kind) { return kind == DatasetKind::MNIST ? kMnistStd : kCifarStd; }

void to_unit_float(const uint8_t* src, int n, float* dst) {
  for (int i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
}

// torchvision: tensor.sub_(mean).div_(std).
void normalize(float* img, int C, int HW, const float* mean, const float* std) {
  for (int c = 0; c < C; ++c) {
    float* p = img + static_cast<size_t>(c) * HW;
    const float m = mean[c], s = std[c];
    for (int i = 0; i < HW; ++i) p[i] = (p[i] - m) / s;
  }
}

// img (C, H, W) of image_spec(kind), in [0, 1] -> dst (3, 32, 32).
void final_transform(DatasetKind kind, float* img, float* dst) {
  const ImageSpec sp = image_spec(kind);
  const int HW = sp.height * sp.width;
  normalize(img, sp.channels, HW, dataset_mean(kind), dataset_std(kind));
  if (kind == DatasetKind::CIFAR10) {
    std::memcpy(dst, img, sizeof(float) * kOutElems);
    return;
  }
  // MNIST: Resize((32, 32)) on the normalized tensor, then x.repeat(3, 1, 1).
  constexpr int plane = kOutSize * kOutSize;
  resize_bilinear(img, 1, sp.height, sp.width, kOutSize, kOutSize, dst);
  std::memcpy(dst + plane, dst, sizeof(float) * plane);
  std::memcpy(dst + 2 * plane, dst, sizeof(float) * plane);
}

void clean_transform(DatasetKind kind, const uint8_t* src, float* dst) {
  const ImageSpec sp = image_spec(kind);
  float img[kMaxElems];
  to_unit_float(src, sp.channels * sp.height * sp.width, img);
  final_transform(kind, img, dst);
}

namespace {

// ColorJitter.forward: fn_idx = randperm(4), then the four factors, then the adjustments in that
// order. A strength of 0 turns an adjustment off (torchvision stores None and draws nothing).
void color_jitter(float* img, int C, int HW, const AugmentConfig& cfg, Generator& rng) {
  int order[4] = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(order[i], order[rng.randint(0, i + 1)]);  // Fisher-Yates
  auto factor = [&](float strength) { return rng.uniform(std::max(0.0f, 1.0f - strength), 1.0f + strength); };
  const float b = cfg.brightness > 0 ? factor(cfg.brightness) : 1.0f;
  const float c = cfg.contrast > 0 ? factor(cfg.contrast) : 1.0f;
  const float s = cfg.saturation > 0 ? factor(cfg.saturation) : 1.0f;
  const float h = cfg.hue > 0 ? rng.uniform(-cfg.hue, cfg.hue) : 0.0f;
  for (int fn : order) {
    if (fn == 0 && cfg.brightness > 0) adjust_brightness(img, C, HW, b);
    if (fn == 1 && cfg.contrast > 0) adjust_contrast(img, C, HW, c);
    if (fn == 2 && cfg.saturation > 0) adjust_saturation(img, C, HW, s);
    if (fn == 3 && cfg.hue > 0) adjust_hue(img, C, HW, h);
  }
}

}  // namespace

void simclr_view(DatasetKind kind, const uint8_t* src, float* dst, Generator& rng, const AugmentConfig& cfg) {
  DL_CHECK(cfg.hue >= 0 && cfg.hue <= 0.5f, "simclr_view: hue strength ", cfg.hue, " is not in [0, 0.5]");
  const ImageSpec sp = image_spec(kind);
  const int C = sp.channels, H = sp.height, W = sp.width, HW = H * W;
  float img[kMaxElems], view[kMaxElems];
  to_unit_float(src, C * HW, img);

  // RandomResizedCrop(size) with size = the stored side (32 CIFAR, 28 MNIST).
  const CropParams crop = random_resized_crop_params(H, W, cfg, rng);
  resized_crop(img, C, H, W, crop, H, W, view);

  if (rng.uniform() < cfg.flip_p) hflip(view, C, H, W);
  if (!(cfg.jitter_p < rng.uniform())) color_jitter(view, C, HW, cfg, rng);
  if (rng.uniform() < cfg.grayscale_p) rgb_to_grayscale(view, C, HW);
  if (cfg.gaussian_blur && rng.uniform() < cfg.blur_p) {
    const float sigma = rng.uniform(0.1f, 2.0f);
    gaussian_blur(view, C, H, W, blur_kernel_size(H), sigma);
  }
  final_transform(kind, view, dst);
}

}  // namespace dl::data
