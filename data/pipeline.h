// pipeline.h - the per-image transforms the loader applies, as the reference code does
// (docs/protocol.md section 2). Implemented in data/transforms.cpp; the
// loader (data/loader.cpp) calls only these two functions, from several threads at once.
//
// Input images are uint8 in CHW order: MNIST 1x28x28, CIFAR-10 3x32x32. Every output is the
// network's input: float32, 3x32x32, normalized with the dataset's constants.
#pragma once
#include <cstdint>

#include "tensor/generator.h"

namespace dl::data {

enum class DatasetKind { MNIST, CIFAR10 };

struct ImageSpec {
  int channels, height, width;  // of the stored uint8 image
};
ImageSpec image_spec(DatasetKind kind);  // MNIST {1, 28, 28}, CIFAR10 {3, 32, 32}
constexpr int kOutChannels = 3, kOutSize = 32;
constexpr int kOutElems = kOutChannels * kOutSize * kOutSize;  // 3072 floats per output image

// SimCLR augmentation settings; the defaults are the reference's (jitter strength s = 0.5).
struct AugmentConfig {
  float crop_scale_min = 0.08f, crop_scale_max = 1.0f;
  float crop_ratio_min = 3.0f / 4.0f, crop_ratio_max = 4.0f / 3.0f;
  float flip_p = 0.5f;
  float jitter_p = 0.8f;
  float brightness = 0.4f, contrast = 0.4f, saturation = 0.4f, hue = 0.1f;
  float grayscale_p = 0.2f;
  bool gaussian_blur = false;  // reference: off for both datasets
  float blur_p = 0.5f;
};

// The "final transforms" only: to float, normalize (MNIST: also resize 28 -> 32 bilinear and
// repeat to 3 channels). src: image_spec(kind) uint8 CHW; dst: kOutElems floats.
void clean_transform(DatasetKind kind, const uint8_t* src, float* dst);

// One augmented view: RandomResizedCrop, flip, color jitter, grayscale (, blur), then the final
// transforms. All randomness comes from `rng`, so the same generator state gives the same view.
void simclr_view(DatasetKind kind, const uint8_t* src, float* dst, Generator& rng, const AugmentConfig& cfg);

}  // namespace dl::data
