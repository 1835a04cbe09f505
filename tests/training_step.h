// training_step.h - one full, faithful training step of a tiny Image2Vec (experiments/losses.cpp's
// loss: the three encoder passes, the online probe, the method's head and decoder; backward; Adam)
// and the comparison of two such steps run by different kernels (reference vs fast CPU in
// test_training_step_ref.cpp, CPU vs CUDA in cuda/test_cuda_training_step.cpp).
#pragma once
#include <string>

#include "experiments/config.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace dl::test {

struct StepResult {
  double loss = 0;
  nn::NamedTensorList grads;    // per parameter, on the CPU (undefined tensor when no gradient)
  nn::NamedTensorList params;   // after the Adam step, on the CPU
  nn::NamedTensorList buffers;  // BN running statistics (and counters), on the CPU
};

// One batch of B random 3x32x32 images in [0, 1) (clean, and two "views") with labels 0..9.
struct StepInputs {
  Tensor clean, v1, v2, labels;
};
StepInputs tiny_step_inputs(int64_t B);

// A tiny config of `method` ("ae", "vae", "simclr", "supervised") for batches of B CIFAR images.
experiments::RunConfig tiny_step_config(const std::string& method, int64_t B);

// One step from the config's seed: model and optimizer built here, on `dev`, with the CPU kernels
// currently selected (kernels/cpu_kernels.h).
StepResult one_training_step(const experiments::RunConfig& cfg, Device dev, const StepInputs& in);

// EXPECTs that `got` agrees with `ref`: the loss, every gradient, every parameter after Adam and
// every BN running statistic, with the tolerances explained in training_step.cpp.
void expect_steps_agree(const experiments::RunConfig& cfg, const StepResult& ref, const StepResult& got);

}  // namespace dl::test
