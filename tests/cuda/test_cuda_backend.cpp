// test_cuda_backend.cpp - the CUDA device itself: the clear error without a GPU, copies in both
// directions (empty, odd, larger than the pinned staging buffer), memset, out-of-memory message,
// and the cuBLAS ops (matmul, linear, axpy through accumulate_grad) against the CPU.
#include <gtest/gtest.h>

#include <string>

#include "tensor/tensor.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::expect_cuda_matches_cpu;
using dl::test::random_tensor;

TEST(CudaBackend, WithoutGpuAskingForCudaIsAClearError) {
  if (dl::test::cuda_unavailable_reason().empty()) GTEST_SKIP() << "a GPU is present: nothing to check";
  EXPECT_FALSE(device_available(Device::CUDA));
  try {
    zeros({2, 3}, Device::CUDA);
    FAIL() << "allocating on CUDA without a GPU did not throw";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("CUDA device requested but not available"), std::string::npos) << msg;
    EXPECT_NE(msg.find("GPU"), std::string::npos) << msg;  // says why: no usable GPU
  }
  EXPECT_THROW(random_tensor({4}, 1, -1, 1, false).to(Device::CUDA), Error);
}

TEST(CudaBackend, CopiesRoundTrip) {
  DL_REQUIRE_CUDA();
  // 0 and 1 elements, an odd size, and more than two 4 MiB staging buffers (chunked copy).
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{1031}, int64_t{3} << 20}) {
    const Tensor host = n ? random_tensor({n}, 5, -3, 3, false) : zeros({0});
    const Tensor dev = host.to(Device::CUDA);
    EXPECT_EQ(dev.device(), Device::CUDA);
    const Tensor dev2 = dev.clone();  // device -> device
    EXPECT_EQ(dev2.to_vector(), host.to_vector()) << "n = " << n;
  }
  Tensor z = full({5, 7}, 2.5f, Device::CUDA);
  EXPECT_EQ(z.to_vector(), std::vector<float>(35, 2.5f));
  z.zero_();
  EXPECT_EQ(z.to_vector(), std::vector<float>(35, 0.0f));
  Tensor labels = from_vector_i32({3, 1, 4, 1, 5}, {5}, Device::CUDA);
  EXPECT_EQ(labels.to_vector_i32(), (std::vector<int32_t>{3, 1, 4, 1, 5}));
  // A slice (offset view) copies the right bytes.
  const Tensor rows = random_tensor({6, 4}, 8, -1, 1, false);
  EXPECT_EQ(rows.to(Device::CUDA).slice(2, 5).to_vector(), rows.slice(2, 5).to_vector());
}

TEST(CudaBackend, OutOfMemorySaysHowManyBytes) {
  DL_REQUIRE_CUDA();
  const size_t huge = size_t{1} << 50;  // 1 PiB
  try {
    backend(Device::CUDA).allocate(huge);
    FAIL() << "a 1 PiB allocation succeeded";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("out of CUDA memory"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(huge)), std::string::npos) << msg;
  }
  Tensor ok = zeros({16}, Device::CUDA);  // the device is still usable afterwards
  EXPECT_EQ(ok.to_vector(), std::vector<float>(16, 0.0f));
}

TEST(CudaOps, MatmulAllTransposes) {
  DL_REQUIRE_CUDA();
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{3, 5, 7}, {256, 512, 128}, {65, 33, 129}}) {
        Tensor a = random_tensor(ta ? Shape{K, M} : Shape{M, K}, 1);
        Tensor b = random_tensor(tb ? Shape{N, K} : Shape{K, N}, 2);
        expect_cuda_matches_cpu([&](const std::vector<Tensor>& in) { return matmul(in[0], in[1], ta, tb); }, {a, b},
                                {1e-10, 1e-4f, 1e-4f},
                                "ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) + " M=" + std::to_string(M));
      }
}

TEST(CudaOps, LinearModelAndOddShapes) {
  DL_REQUIRE_CUDA();
  // The MLP heads (256 x 512 -> 512 -> 10/128/256), the decoder's Linear(128, 8192), odd sizes.
  for (auto [N, C, OC] : {std::tuple<int64_t, int64_t, int64_t>{256, 512, 512}, {256, 512, 10}, {256, 128, 8192},
                          {7, 13, 5}, {1, 3, 1}}) {
    Tensor x = random_tensor({N, C}, 3), w = random_tensor({OC, C}, 4, -0.1f, 0.1f), b = random_tensor({OC}, 5);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {x, w, b},
                            {1e-10, 1e-4f, 1e-4f}, "linear " + std::to_string(N) + "x" + std::to_string(C));
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return linear(in[0], in[1]); }, {x, w},
                            {1e-10, 1e-4f, 1e-4f}, "linear without bias");
  }
}

TEST(CudaOps, GradientAccumulationUsesAxpy) {
  DL_REQUIRE_CUDA();
  // x feeds two consumers, so its gradient is summed by accumulate_grad (axpy on the device).
  Tensor x = random_tensor({9, 6}, 11), w = random_tensor({4, 6}, 12);
  expect_cuda_matches_cpu(
      [](const std::vector<Tensor>& in) { return matmul(linear(in[0], in[1]), linear(in[0], in[1]), false, true); },
      {x, w}, {1e-10, 1e-4f, 1e-4f});
}

TEST(CudaOps, DeviceMismatchIsAnError) {
  DL_REQUIRE_CUDA();
  EXPECT_THROW(matmul(zeros({2, 3}), zeros({3, 2}, Device::CUDA)), Error);
}
