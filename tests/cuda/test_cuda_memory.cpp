// test_cuda_memory.cpp - device memory does not grow with training: the bytes handed out by the
// CUDA allocator (tensors and scratch buffers; kernels/cuda/cuda_backend.h) are the same after
// three faithful training steps as after one, and back to the model's own bytes once the
// optimizer, the gradients and the last loss are gone. A tape that keeps a step's graph alive,
// a scratch buffer that is never freed or a gradient buffer re-allocated per step shows up here
// as a difference of at least one tensor's bytes.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "experiments/config.h"
#include "experiments/losses.h"
#include "experiments/model.h"
#include "kernels/cuda/cuda_backend.h"
#include "nn/adam.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::random_tensor;

namespace {

size_t bytes_in_use() {
  backend(Device::CUDA).synchronize();
  return cuda::cuda_memory_stats().bytes_in_use;
}

struct Batch {
  Tensor clean, v1, v2, labels;
};

Batch gpu_batch(int64_t B) {
  std::vector<int32_t> lab(B);
  for (int64_t i = 0; i < B; ++i) lab[i] = static_cast<int32_t>((7 * i + 3) % 10);
  return {random_tensor({B, 3, 32, 32}, 201, 0, 1, false).to(Device::CUDA),
          random_tensor({B, 3, 32, 32}, 202, 0, 1, false).to(Device::CUDA),
          random_tensor({B, 3, 32, 32}, 203, 0, 1, false).to(Device::CUDA), from_vector_i32(lab, {B}, Device::CUDA)};
}

// `steps` Adam steps of the method's full training loss; returns bytes in use after each step
// (the step's loss released, gradients and Adam state alive).
std::vector<size_t> train_steps(experiments::Image2Vec& model, const experiments::RunConfig& cfg, const Batch& b,
                                int steps) {
  nn::AdamOptions ao;
  ao.lr = 1e-3f;
  nn::Adam adam(model.named_parameters(), ao);
  Generator noise(9);
  std::vector<size_t> after;
  for (int s = 0; s < steps; ++s) {
    adam.zero_grad();
    {
      const experiments::StepLoss loss = experiments::training_loss(model, cfg, b.clean, b.v1, b.v2, b.labels, noise);
      loss.total.backward();
    }
    adam.step();
    after.push_back(bytes_in_use());
  }
  adam.zero_grad();
  return after;
}

}  // namespace

TEST(CudaMemory, BackToBaselineAfterThreeTrainingSteps) {
  DL_REQUIRE_CUDA();
  for (const char* method : {"simclr", "vae", "ae", "supervised"}) {
    SCOPED_TRACE(method);
    experiments::RunConfig cfg;
    cfg.method = method;
    cfg.dataset = "cifar10";
    cfg.width = 4, cfg.hidden_dim = 32, cfg.latent_dim = 16, cfg.simclr_dim = 16, cfg.batch_size = 16;
    cfg.validate();
    Generator init(3);
    experiments::Image2Vec model(cfg, init);
    model.to(Device::CUDA);
    model.train();
    const Batch b = gpu_batch(16);
    // One step first, torn down: whatever is created once per process (cuBLAS workspaces, lazily
    // sized buffers) exists before the baseline is taken.
    train_steps(model, cfg, b, 1);
    model.zero_grad();
    const size_t baseline = bytes_in_use();
    const std::vector<size_t> after = train_steps(model, cfg, b, 3);
    EXPECT_EQ(after[1], after[0]) << "step 2 holds more device memory than step 1";
    EXPECT_EQ(after[2], after[0]) << "step 3 holds more device memory than step 1";
    model.zero_grad();
    EXPECT_EQ(bytes_in_use(), baseline) << "device memory not back to the model's own after three steps";
  }
}

TEST(CudaMemory, EvalForwardWithoutGradientHoldsNothing) {
  DL_REQUIRE_CUDA();
  experiments::RunConfig cfg;
  cfg.method = "ae";
  cfg.width = 4, cfg.hidden_dim = 32, cfg.latent_dim = 16, cfg.batch_size = 16;
  cfg.validate();
  Generator init(4);
  experiments::Image2Vec model(cfg, init);
  model.to(Device::CUDA);
  model.eval();
  const Tensor x = random_tensor({16, 3, 32, 32}, 204, 0, 1, false).to(Device::CUDA);
  const size_t before = bytes_in_use();
  for (int i = 0; i < 3; ++i) {
    const Tensor feats = model.forward(x);
    EXPECT_EQ(feats.shape(), (Shape{16, 32}));
  }
  EXPECT_EQ(bytes_in_use(), before);
}
