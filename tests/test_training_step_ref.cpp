// test_training_step_ref.cpp - one full, faithful training step of each method (AE, VAE, SimCLR,
// supervised) at width 2 on the reference kernels (kernels/ref, DL_KERNELS=ref) and on the fast
// CPU kernels, from the same initial parameters, inputs and noise: the loss, every gradient, every
// parameter after Adam and every BN running statistic agree (tolerances: tests/training_step.cpp).
#include <gtest/gtest.h>

#include <vector>

#include "kernels/cpu_kernels.h"
#include "tests/gradcheck.h"
#include "tests/training_step.h"

using namespace dl;

TEST(TrainingStepRef, EveryMethodFastMatchesRef) {
  const int64_t B = 8;
  const test::StepInputs in = test::tiny_step_inputs(B);
  for (const char* method : {"ae", "vae", "simclr", "supervised"}) {
    SCOPED_TRACE(method);
    const experiments::RunConfig cfg = test::tiny_step_config(method, B);
    test::StepResult ref, fast;
    {
      ScopedCpuKernels kernels(CpuKernels::Ref);
      ref = test::one_training_step(cfg, Device::CPU, in);
    }
    {
      ScopedCpuKernels kernels(CpuKernels::Fast);
      fast = test::one_training_step(cfg, Device::CPU, in);
    }
    test::expect_steps_agree(cfg, ref, fast);
  }
}

// The switch really changes the kernels: ref and fast sum in different orders (double vs float
// lanes), so their steps must differ somewhere in the last bits; bitwise-equal results would mean
// that DL_DISPATCH ignores the switch and the test above compared the fast kernels with themselves.
TEST(TrainingStepRef, SwitchSelectsDifferentKernels) {
  const int64_t B = 8;
  const test::StepInputs in = test::tiny_step_inputs(B);
  const experiments::RunConfig cfg = test::tiny_step_config("supervised", B);
  test::StepResult r[2];
  for (int k = 0; k < 2; ++k) {
    ScopedCpuKernels kernels(k == 0 ? CpuKernels::Ref : CpuKernels::Fast);
    r[k] = test::one_training_step(cfg, Device::CPU, in);
  }
  bool any_bit_differs = false;
  for (size_t i = 0; i < r[0].grads.size(); ++i)
    if (r[0].grads[i].second.defined() && r[0].grads[i].second.to_vector() != r[1].grads[i].second.to_vector())
      any_bit_differs = true;
  EXPECT_TRUE(any_bit_differs) << "ref and fast steps are bitwise identical: DL_DISPATCH ignores the switch";
}
