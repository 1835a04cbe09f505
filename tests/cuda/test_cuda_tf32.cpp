// test_cuda_tf32.cpp - TF32 tensor-core GEMMs as an option (cuda::set_tf32, train --tf32): off by
// default, so every CUDA-vs-CPU comparison runs FP32 (cuda_test_util.h asserts it too); on, a GEMM
// stays within TF32's rounding of the FP32 one; off again, it is bit-identical to FP32 once more.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/cuda/cuda_backend.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::random_tensor;

TEST(CudaTf32, DefaultIsFp32) {
  DL_REQUIRE_CUDA();
  EXPECT_FALSE(cuda::tf32_enabled()) << "cuBLAS must start in FP32 (CUBLAS_DEFAULT_MATH)";
}

TEST(CudaTf32, GemmWithinTf32RoundingAndOffRestoresFp32Bits) {
  DL_REQUIRE_CUDA();
  const int64_t M = 128, K = 512, N = 192;
  const Tensor a = random_tensor({M, K}, 401, -1, 1, false), b = random_tensor({K, N}, 402, -1, 1, false);
  const Tensor ga = a.to(Device::CUDA), gb = b.to(Device::CUDA);
  const std::vector<float> fp32 = matmul(ga, gb).to_vector();
  std::vector<float> tf32;
  {
    const cuda::Tf32Scope on(true);
    EXPECT_TRUE(cuda::tf32_enabled());
    tf32 = matmul(ga, gb).to_vector();
  }
  EXPECT_FALSE(cuda::tf32_enabled()) << "the scope did not restore FP32";
  const std::vector<float> again = matmul(ga, gb).to_vector();
  EXPECT_EQ(std::memcmp(again.data(), fp32.data(), fp32.size() * sizeof(float)), 0)
      << "FP32 after TF32 is not bit-identical to FP32 before";

  // TF32 keeps 10 of FP32's 23 mantissa bits: each input is off by at most 2^-10 relative
  // (truncation; 2^-11 rounded), a product by about 2^-9, and the FP32 sums differ only in order.
  // Bound per element: 2^-9 sum_k |a_ik| |b_kj| (plus FP32 slack).
  const std::vector<float> va = a.to_vector(), vb = b.to_vector();
  double max_diff = 0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double abs_sum = 0;
      for (int64_t k = 0; k < K; ++k) abs_sum += std::fabs(va[i * K + k]) * std::fabs(vb[k * N + j]);
      const double d = std::fabs(double(tf32[i * N + j]) - double(fp32[i * N + j]));
      max_diff = std::max(max_diff, d);
      ASSERT_LE(d, std::ldexp(1.0, -9) * abs_sum + 1e-5) << "element (" << i << ", " << j << ")";
    }
  EXPECT_GT(max_diff, 0.0) << "TF32 changed nothing: cuBLAS kept its FP32 kernels";
}
