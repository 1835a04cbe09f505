// transforms.h - the fixed-parameter image transforms behind data/pipeline.h, with the semantics
// of torchvision 0.14's torchvision.transforms.functional on float tensors in [0, 1] (CHW):
// the same formulas, the same clamping, the same bilinear sampling. The random parts
// (RandomResizedCrop.get_params, the coin flips, ColorJitter's order and factors) live in
// data/transforms.cpp and draw from a dl::Generator. tests/test_transforms.cpp compares every
// function here with torchvision (tests/golden/make_transforms.py). Where PIL, which the
// reference feeds, would differ: docs/augmentations.md.
//
// Every function works on planar float buffers: `img` is (C, H, W) with C in {1, 3}; `HW` = H*W.
// In-place functions read and write `img`. None of them allocates per pixel; the few scratch
// buffers are thread-local and reused, so the loader's threads may call them concurrently.
#pragma once
#include <cstdint>

#include "data/pipeline.h"
#include "tensor/generator.h"

namespace dl::data {

// ---- geometry (data/resized_crop.cpp) -----------------------------------------------------------

// (top, left, height, width) of a crop, in pixels of the source image, as torchvision's
// (i, j, h, w).
struct CropParams {
  int top, left, height, width;
};

// RandomResizedCrop.get_params: up to 10 tries of area = U(scale)*H*W, ratio = exp(U(log ratio)),
// w = round(sqrt(area*ratio)), h = round(sqrt(area/ratio)) (Python's round: half to even),
// accepted if 0 < w <= W and 0 < h <= H, with top = randint[0, H-h], left = randint[0, W-w];
// otherwise the central crop of the whole image, its ratio clamped to [ratio_min, ratio_max].
CropParams random_resized_crop_params(int H, int W, const AugmentConfig& cfg, Generator& rng);

// F.resized_crop(img, top, left, height, width, [out_h, out_w], BILINEAR) on a tensor: crop,
// then F.interpolate(mode="bilinear", align_corners=False, antialias=False). The crop must lie
// inside the image. src (C, H, W) -> dst (C, out_h, out_w); dst must not overlap src.
void resized_crop(const float* src, int C, int H, int W, CropParams crop, int out_h, int out_w, float* dst);

// F.resize(img, [out_h, out_w]) on a tensor (bilinear, align_corners=False, no antialias: the
// 0.14 default for tensors). src (C, H, W) -> dst (C, out_h, out_w).
void resize_bilinear(const float* src, int C, int H, int W, int out_h, int out_w, float* dst);

// F.hflip: reverses every row, in place. img (C, H, W).
void hflip(float* img, int C, int H, int W);

// ---- colour (data/color_jitter.cpp) -------------------------------------------------------------

// Luma of F.rgb_to_grayscale on tensors: 0.2989 R + 0.587 G + 0.114 B (PIL: 299/587/114 per mille).
constexpr float kGrayR = 0.2989f, kGrayG = 0.587f, kGrayB = 0.114f;

// F.adjust_brightness: clamp(f * x, 0, 1) (a blend with black).
void adjust_brightness(float* img, int C, int HW, float factor);
// F.adjust_contrast: clamp(f * x + (1 - f) * m, 0, 1), m = mean of the grayscale image
// (of the single channel when C == 1).
void adjust_contrast(float* img, int C, int HW, float factor);
// F.adjust_saturation: clamp(f * x + (1 - f) * gray(x), 0, 1) per pixel; no-op when C == 1
// (torchvision matches PIL, where saturation does nothing to an 'L' image).
void adjust_saturation(float* img, int C, int HW, float factor);
// F.adjust_hue: RGB -> HSV (torchvision's _rgb2hsv), h = (h + hue_factor) mod 1, HSV -> RGB
// (_hsv2rgb). hue_factor in [-0.5, 0.5]; no-op when C == 1.
void adjust_hue(float* img, int C, int HW, float hue_factor);
// F.rgb_to_grayscale(img, num_output_channels=C): every channel becomes the luma; no-op if C == 1.
void rgb_to_grayscale(float* img, int C, int HW);

// ---- blur (data/gaussian_blur.cpp) --------------------------------------------------------------

// The reference's kernel size for an image of side `size`: int(0.1 * size), forced odd
// (size 32 -> 3, 28 -> 3).
int blur_kernel_size(int size);
// F.gaussian_blur(img, [k, k], [sigma, sigma]) on a tensor: 1-D kernel exp(-x^2 / (2 sigma^2)) on
// x = linspace(-(k-1)/2, (k-1)/2, k), normalized to sum 1; reflect padding (edge not repeated);
// applied as two separable passes (same result as torchvision's 2-D outer-product kernel up to
// float rounding). In place; k odd and k/2 < min(H, W).
void gaussian_blur(float* img, int C, int H, int W, int ksize, float sigma);

// ---- the final transforms (data/transforms.cpp) -------------------------------------------------

// ToTensor: dst[i] = src[i] / 255.
void to_unit_float(const uint8_t* src, int n, float* dst);
// F.normalize: (x - mean[c]) / std[c], in place.
void normalize(float* img, int C, int HW, const float* mean, const float* std);
// Per-dataset constants. CIFAR10: (125.3, 123.0, 113.9) / 255 and (63.0, 62.1, 66.7) / 255;
// MNIST: 0.5 and 0.5 (one channel).
const float* dataset_mean(DatasetKind kind);
const float* dataset_std(DatasetKind kind);
// The final transforms on an image already in [0, 1] float (C, H, W) = image_spec(kind):
// normalize; MNIST: then resize to 32x32 and repeat to 3 channels. `img` is overwritten
// (used as scratch); dst receives kOutElems floats.
void final_transform(DatasetKind kind, float* img, float* dst);

}  // namespace dl::data
