// test_cuda_training_step.cpp - one full, faithful training step (experiments/losses.cpp's loss:
// the three encoder passes, the online probe, the method's head and decoder; backward; Adam) of a
// tiny Image2Vec (width 2, batch 8 of 3x32x32 images) for each method, on the CPU and on CUDA
// from the same initial parameters, inputs and noise; the loss, every parameter's gradient, every
// parameter after the Adam step and every BN running statistic must agree. Also: the trainer's
// device selection (--device cuda / auto) picks CUDA when a GPU is there.
#include <gtest/gtest.h>

#include <vector>

#include "experiments/config.h"
#include "tests/cuda/cuda_test_util.h"
#include "tests/training_step.h"

using namespace dl;

// The CPU side runs the fast kernels: they are checked against kernels/ref by the CPU suite
// (tests/test_training_step_ref.cpp and every op's FastMatchesRef test), and the reference kernels
// would make the larger CUDA comparisons of this directory take minutes.
TEST(CudaTrainingStep, EveryMethodMatchesCpu) {
  DL_REQUIRE_CUDA();
  ASSERT_FALSE(cuda::tf32_enabled()) << "the comparison needs FP32 GEMMs (TF32 is an option: --tf32)";
  const int64_t B = 8;
  const test::StepInputs in = test::tiny_step_inputs(B);
  for (const char* method : {"ae", "vae", "simclr", "supervised"}) {
    SCOPED_TRACE(method);
    const experiments::RunConfig cfg = test::tiny_step_config(method, B);
    const test::StepResult c = test::one_training_step(cfg, Device::CPU, in);
    const test::StepResult g = test::one_training_step(cfg, Device::CUDA, in);
    test::expect_steps_agree(cfg, c, g);
  }
}

TEST(CudaTrainingStep, DeviceSelectionPicksCuda) {
  DL_REQUIRE_CUDA();
  EXPECT_EQ(experiments::resolve_device("cuda"), Device::CUDA);  // train --device cuda
  EXPECT_EQ(experiments::resolve_device("auto"), Device::CUDA);  // the default picks the GPU
  EXPECT_EQ(experiments::resolve_device("cpu"), Device::CPU);
}
