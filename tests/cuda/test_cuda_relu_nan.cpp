// test_cuda_relu_nan.cpp - the NaN rule of relu, add_relu and batchnorm_relu on CUDA, the same
// checks as the CPU's (tests/relu_nan_checks.h): a NaN passes through the forward, and the
// gradient is 0 where the output is NaN or <= 0. Skips without a usable GPU.
#include "tests/cuda/cuda_test_util.h"
#include "tests/relu_nan_checks.h"

namespace dl::test {
namespace {

TEST(CudaReluNan, Relu) {
  DL_REQUIRE_CUDA();
  ASSERT_NO_FATAL_FAILURE(check_relu_nan(Device::CUDA));
}
TEST(CudaReluNan, AddRelu) {
  DL_REQUIRE_CUDA();
  ASSERT_NO_FATAL_FAILURE(check_add_relu_nan(Device::CUDA));
}
TEST(CudaReluNan, BatchnormRelu) {
  DL_REQUIRE_CUDA();
  ASSERT_NO_FATAL_FAILURE(check_batchnorm_relu_nan(Device::CUDA));
}

}  // namespace
}  // namespace dl::test
