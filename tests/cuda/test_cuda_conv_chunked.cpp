// test_cuda_conv_chunked.cpp - the CUDA convolution's chunked path (kernels/cuda/conv2d.cu): the
// im2col column buffer holds at most 64 Mi floats, i.e. floor(64 Mi / (C KH KW OH OW)) images per
// chunk. At N = 16, C = 512, 32 x 32, 3x3 pad 1 one image needs 4608 x 1024 = 4.7 Mi floats, so a
// chunk holds 13 images and the batch runs as 13 + 3: the chunk offsets n0 (the forward GEMM,
// im2col, gather and col2im), the shorter last chunk and the accumulation of dweight over chunks
// are all exercised, which the ResNet-shaped tests at batch 8 never do.
#include <gtest/gtest.h>

#include <string>

#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::expect_cuda_matches_cpu;
using dl::test::random_tensor;

TEST(CudaConv2dChunked, BatchSplitAcrossColumnChunksMatchesCpu) {
  DL_REQUIRE_CUDA();
  // OC is small to keep the CPU reference quick; the chunking depends on C, H, W, K only.
  const int64_t N = 16, C = 512, H = 32, W = 32, OC = 8;
  static_assert(int64_t{64} << 20 < N * C * 9 * H * W, "the column buffer must be split");
  Tensor x = random_tensor({N, C, H, W}, 21);
  Tensor w = random_tensor({OC, C, 3, 3}, 22, -0.05f, 0.05f);
  Tensor b = random_tensor({OC}, 23);
  // K = 4608 products per output: FP32 rounding differs between the CPU and cuBLAS by ~1e-6
  // relative; a wrong chunk offset gives O(1) errors.
  expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 1, 1); }, {x, w, b},
                          {1e-9, 1e-3f, 1e-3f}, "N=16 C=512 32x32 3x3 s1: chunks of 13 + 3 images");
  // Stride 2 (the last chunk's output offsets differ from its input offsets by the stride).
  expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 2, 1); }, {x, w},
                          {1e-9, 1e-3f, 1e-3f}, "N=16 C=512 32x32 3x3 s2");
}

TEST(CudaConv2dChunked, LastImageOfTheLastChunkIsWritten) {
  DL_REQUIRE_CUDA();
  // Only the last image is non-zero: if the last (short) chunk were skipped or written at the
  // wrong offset, its output would be zero or land on another image.
  const int64_t N = 16, C = 512, H = 32, W = 32;
  Tensor x = zeros({N, C, H, W});
  Tensor last = random_tensor({1, C, H, W}, 24);
  Tensor xs = x.slice(N - 1, N);
  xs.copy_(last);
  Tensor w = random_tensor({4, C, 3, 3}, 25, -0.05f, 0.05f);
  const Tensor y = conv2d(x.to(Device::CUDA), w.to(Device::CUDA), Tensor(), 1, 1).to(Device::CPU);
  const Tensor ref = conv2d(last, w, Tensor(), 1, 1);
  EXPECT_TRUE(dl::test::all_close(y.slice(N - 1, N).to_vector(), ref.to_vector(), 1e-3f, 1e-3f));
  for (float v : y.slice(0, N - 1).to_vector()) ASSERT_EQ(v, 0.0f) << "an all-zero image got a non-zero output";
}
