// test_cuda_conv.cpp - conv2d, upsample_nearest2x and global_avg_pool on CUDA against the CPU:
// ResNet18-CIFAR layer shapes (batch 8 to keep the CPU reference fast) and odd shapes, forward
// and every gradient; the CUDA backward is bitwise deterministic.
#include <gtest/gtest.h>

#include <string>

#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::expect_cuda_matches_cpu;
using dl::test::random_tensor;

namespace {
struct ConvCase {
  int64_t N, C, H, W, OC, KH, KW;
  int stride, pad;
  bool bias;
  std::string str() const {
    return "x (" + std::to_string(N) + "," + std::to_string(C) + "," + std::to_string(H) + "," + std::to_string(W) +
           ") w (" + std::to_string(OC) + "," + std::to_string(C) + "," + std::to_string(KH) + "," +
           std::to_string(KW) + ") s" + std::to_string(stride) + " p" + std::to_string(pad);
  }
};
}  // namespace

TEST(CudaConv2d, ModelAndOddShapes) {
  DL_REQUIRE_CUDA();
  const ConvCase cases[] = {
      {8, 3, 32, 32, 64, 3, 3, 1, 1, false},    // stem
      {8, 64, 32, 32, 64, 3, 3, 1, 1, false},   // layer1
      {8, 64, 32, 32, 128, 3, 3, 2, 1, false},  // layer2 first conv
      {8, 64, 32, 32, 128, 1, 1, 2, 0, false},  // layer2 shortcut
      {8, 512, 4, 4, 512, 3, 3, 1, 1, false},   // layer4
      {8, 64, 32, 32, 3, 3, 3, 1, 1, false},    // decoder output conv
      {3, 5, 7, 9, 6, 3, 3, 2, 1, true},        // odd sizes, bias
      {2, 4, 11, 6, 3, 5, 5, 1, 2, true},       // 5x5
      {1, 2, 9, 10, 4, 2, 3, 3, 0, true},       // KH != KW, stride 3, no padding
      {2, 3, 5, 5, 2, 1, 1, 1, 0, true},        // 1x1 stride 1
  };
  for (const ConvCase& c : cases) {
    Tensor x = random_tensor({c.N, c.C, c.H, c.W}, 1);
    Tensor w = random_tensor({c.OC, c.C, c.KH, c.KW}, 2, -0.1f, 0.1f);
    Tensor b = c.bias ? random_tensor({c.OC}, 3) : Tensor();
    std::vector<Tensor> inputs{x, w};
    if (c.bias) inputs.push_back(b);
    expect_cuda_matches_cpu(
        [&](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], c.bias ? in[2] : Tensor(), c.stride, c.pad); },
        inputs, {1e-10, 1e-4f, 1e-4f}, c.str());
  }
}

TEST(CudaConv2d, BackwardIsBitwiseDeterministic) {
  DL_REQUIRE_CUDA();
  std::vector<float> first_dx, first_dw;
  for (int run = 0; run < 2; ++run) {
    Tensor x = random_tensor({16, 64, 16, 16}, 4).to(Device::CUDA).set_requires_grad(true);
    Tensor w = random_tensor({128, 64, 3, 3}, 5, -0.1f, 0.1f).to(Device::CUDA).set_requires_grad(true);
    Tensor y = conv2d(x, w, Tensor(), 2, 1);
    y.backward(random_tensor(y.shape(), 6, -1, 1, false).to(Device::CUDA));
    if (run == 0) {
      first_dx = x.grad().to_vector();
      first_dw = w.grad().to_vector();
    } else {
      EXPECT_EQ(x.grad().to_vector(), first_dx);
      EXPECT_EQ(w.grad().to_vector(), first_dw);
    }
  }
}

TEST(CudaUpsample, ModelAndOddShapes) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{8, 512, 4, 4}, Shape{8, 64, 16, 16}, Shape{3, 5, 7, 1}, Shape{1, 1, 1, 1}})
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return upsample_nearest2x(in[0]); },
                            {random_tensor(s, 6)}, {}, s.str());
}

TEST(CudaAvgPool, ModelAndOddShapes) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{256, 512, 4, 4}, Shape{3, 7, 33, 5}, Shape{2, 3, 1, 1}})
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return global_avg_pool(in[0]); },
                            {random_tensor(s, 7)}, {}, s.str());
}
