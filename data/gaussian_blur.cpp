// gaussian_blur.cpp - torchvision's F.gaussian_blur on a float tensor, as two separable passes.
//   k1[t] = exp(-0.5 (x_t / sigma)^2) / sum, x = linspace(-(k-1)/2, (k-1)/2, k)
//   out[y, x] = sum_{a, b} k1[a] k1[b] in[refl(y + a - k/2), refl(x + b - k/2)]
// refl is PyTorch's "reflect" padding (the edge pixel is not repeated: -1 -> 1, n -> n - 2), the
// same as OpenCV's BORDER_REFLECT_101 that pl_bolts' cv2-based blur would use.
#include <cmath>
#include <vector>

#include "data/transforms.h"
#include "tensor/error.h"

namespace dl::data {

int blur_kernel_size(int size) {
  int k = static_cast<int>(0.1 * size);
  if (k % 2 == 0) k += 1;
  return k;
}

namespace {
inline int reflect(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); }
}  // namespace

// img (C, H, W), in place.
void gaussian_blur(float* img, int C, int H, int W, int ksize, float sigma) {
  DL_CHECK(ksize > 0 && ksize % 2 == 1, "gaussian_blur: kernel size ", ksize, " must be odd and positive");
  DL_CHECK(sigma > 0, "gaussian_blur: sigma ", sigma, " must be positive");
  const int half = ksize / 2;
  DL_CHECK(half < H && half < W, "gaussian_blur: kernel size ", ksize, " needs reflect padding ", half,
           " smaller than the ", H, "x", W, " image");
  constexpr int kMaxKernel = 63;
  DL_CHECK(ksize <= kMaxKernel, "gaussian_blur: kernel size ", ksize, " above ", kMaxKernel);
  float kern[kMaxKernel];
  float total = 0;
  for (int t = 0; t < ksize; ++t) {
    // torch.linspace(-half, half, k): start + t * step
    const float x = ksize == 1 ? 0.0f : -static_cast<float>(half) + t * (2.0f * half / (ksize - 1));
    const float z = x / sigma;
    kern[t] = std::exp(-0.5f * z * z);
    total += kern[t];
  }
  for (int t = 0; t < ksize; ++t) kern[t] /= total;

  thread_local std::vector<float> tmp;  // one horizontally blurred plane
  if (tmp.size() < static_cast<size_t>(H) * W) tmp.resize(static_cast<size_t>(H) * W);
  for (int c = 0; c < C; ++c) {
    float* plane = img + static_cast<size_t>(c) * H * W;
    for (int y = 0; y < H; ++y) {
      const float* row = plane + static_cast<size_t>(y) * W;
      float* out = tmp.data() + static_cast<size_t>(y) * W;
      for (int x = 0; x < W; ++x) {
        float acc = 0;
        for (int t = 0; t < ksize; ++t) acc += kern[t] * row[reflect(x + t - half, W)];
        out[x] = acc;
      }
    }
    for (int y = 0; y < H; ++y) {
      float* out = plane + static_cast<size_t>(y) * W;
      for (int x = 0; x < W; ++x) out[x] = 0;
      for (int t = 0; t < ksize; ++t) {
        const float* src = tmp.data() + static_cast<size_t>(reflect(y + t - half, H)) * W;
        const float k = kern[t];
        for (int x = 0; x < W; ++x) out[x] += k * src[x];
      }
    }
  }
}

}  // namespace dl::data
