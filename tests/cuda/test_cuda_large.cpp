// test_cuda_large.cpp - one tensor past 2^31 elements through the 64-bit index paths: the
// grid-stride loops (int64 index, kernels/cuda/common.cuh), the vectorized elementwise kernels'
// tails, the whole-tensor sum (cub::DeviceReduce) and host <-> device copies into a slice at a
// byte offset past 8 GiB. n = 2^31 + 6 floats (8 GiB), not a multiple of 4, so vector bodies
// and scalar tails both run; marked values sit just below and above 2^31 and at the very end.
// A 32-bit index would wrap to negative offsets or stop at 2^31 - 1 and leave the marks unread.
// Needs ~34 GiB of free device memory (x, relu(x), and the two gradients); skips otherwise.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/cuda/cuda_test_util.h"

using namespace dl;

TEST(CudaLarge, TensorPast2To31Elements) {
  DL_REQUIRE_CUDA();
  const int64_t n = (int64_t{1} << 31) + 6;
  const size_t need = 4 * static_cast<size_t>(n) * sizeof(float) + (size_t{2} << 30);
  size_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  if (free_bytes < need)
    GTEST_SKIP() << "needs " << (need >> 30) << " GiB of free device memory for 4 tensors of 2^31 + 6 floats, the "
                 << "device has " << (free_bytes >> 30) << " GiB free of " << (total_bytes >> 30) << " GiB";
  const std::vector<float> marks = {1, 2, 3, 4, 5, 6, 7, 8};
  const int64_t at_boundary = (int64_t{1} << 31) - 4, at_end = n - 8;  // 8 marks each
  double marked_sum = 0;
  for (float v : marks) marked_sum += 2 * v;
  {
    Tensor x = zeros({n}, Device::CUDA);  // a device memset (full() would stage 8 GiB on the host)
    {
      Tensor a = x.slice(at_boundary, at_boundary + 8), b = x.slice(at_end, n);
      a.copy_(from_vector(marks, {8}));
      b.copy_(from_vector(marks, {8}));
    }
    x.set_requires_grad(true);
    const Tensor y = relu(x);  // marks stay, the rest stays 0 (and has gradient 0: relu'(0) = 0)
    EXPECT_EQ(y.slice(at_boundary, at_boundary + 8).to_vector(), marks) << "relu around index 2^31";
    EXPECT_EQ(y.slice(at_end, n).to_vector(), marks) << "relu at the end (scalar tail)";
    EXPECT_EQ(y.slice(0, 4).to_vector(), std::vector<float>(4, 0.0f));
    const Tensor s = sum(y);
    EXPECT_EQ(s.item(), static_cast<float>(marked_sum)) << "sum over 2^31 + 6 elements";
    s.backward();  // dx = 1 where x > 0
    const Tensor dx = x.grad();
    ASSERT_TRUE(dx.defined());
    EXPECT_EQ(dx.slice(at_end, n).to_vector(), std::vector<float>(8, 1.0f)) << "relu backward at the end";
    EXPECT_EQ(dx.slice(at_boundary - 4, at_boundary).to_vector(), std::vector<float>(4, 0.0f));
    EXPECT_EQ(dx.slice(at_boundary, at_boundary + 8).to_vector(), std::vector<float>(8, 1.0f))
        << "relu backward around index 2^31";
  }
  backend(Device::CUDA).release_cached();  // hand the 32 GiB back for the tests that follow
}
