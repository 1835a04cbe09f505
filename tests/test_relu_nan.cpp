// test_relu_nan.cpp - relu, add_relu and batchnorm_relu share one NaN rule on the CPU, with the
// fast kernels (kernels/cpu) and the reference (kernels/ref): a NaN passes through the forward,
// and the gradient is 0 where the output is NaN or <= 0 (tests/relu_nan_checks.h). The checks'
// assertions live there; ASSERT_NO_FATAL_FAILURE stops a test at a helper's fatal failure too.
#include "kernels/cpu_kernels.h"
#include "tests/relu_nan_checks.h"

namespace dl::test {
namespace {

TEST(ReluNan, FastCpuKernels) {
  const ScopedCpuKernels fast(CpuKernels::Fast);
  ASSERT_NO_FATAL_FAILURE(check_relu_nan(Device::CPU));
}
TEST(ReluNan, RefCpuKernels) {
  const ScopedCpuKernels ref(CpuKernels::Ref);
  ASSERT_NO_FATAL_FAILURE(check_relu_nan(Device::CPU));
}
TEST(AddReluNan, FastCpuKernels) {
  const ScopedCpuKernels fast(CpuKernels::Fast);
  ASSERT_NO_FATAL_FAILURE(check_add_relu_nan(Device::CPU));
}
TEST(AddReluNan, RefCpuKernels) {
  const ScopedCpuKernels ref(CpuKernels::Ref);
  ASSERT_NO_FATAL_FAILURE(check_add_relu_nan(Device::CPU));
}
TEST(BatchnormReluNan, FastCpuKernels) {
  const ScopedCpuKernels fast(CpuKernels::Fast);
  ASSERT_NO_FATAL_FAILURE(check_batchnorm_relu_nan(Device::CPU));
}
TEST(BatchnormReluNan, RefCpuKernels) {
  const ScopedCpuKernels ref(CpuKernels::Ref);
  ASSERT_NO_FATAL_FAILURE(check_batchnorm_relu_nan(Device::CPU));
}

}  // namespace
}  // namespace dl::test
