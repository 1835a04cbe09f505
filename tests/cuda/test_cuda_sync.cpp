// test_cuda_sync.cpp - a CUDA training step does not wait for the GPU (docs/profiling.md, "Where a
// CUDA training step waits"): the backend counts every host synchronization
// (cuda::cuda_host_syncs, kernels/cuda/cuda_backend.h) and N steps of a tiny model leave the
// count unchanged, through train_step + LossSums, with LARS, and through train() itself; the loss
// is read once, when asked. What the host no longer checks is checked on the GPU: an out-of-range label
// raises dl::Error at the next synchronization (kernels/cuda/deferred_error.h), and a NaN loss
// still stops train() with TrainingDiverged before a checkpoint holds it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/config.h"
#include "experiments/loss_sums.h"
#include "experiments/losses.h"
#include "experiments/model.h"
#include "experiments/trainer.h"
#include "kernels/cuda/cuda_backend.h"
#include "nn/adam.h"
#include "nn/lars.h"
#include "tensor/safetensors.h"
#include "tests/cuda/cuda_test_util.h"
#include "tests/data_fixtures.h"

namespace fs = std::filesystem;
using namespace dl;
using dl::test::random_tensor;

namespace {

experiments::RunConfig tiny(const std::string& method) {
  experiments::RunConfig cfg;
  cfg.method = method;
  cfg.dataset = "cifar10";
  cfg.width = 4, cfg.hidden_dim = 32, cfg.latent_dim = 16, cfg.simclr_dim = 16, cfg.batch_size = 16;
  cfg.validate();
  return cfg;
}

// The smoke preset on MNIST on the GPU, in a fresh directory, printing nothing.
experiments::RunConfig smoke_on_gpu(const std::string& method, const std::string& out) {
  experiments::RunConfig c = experiments::preset("smoke");
  c.method = method, c.dataset = "mnist", c.device = "cuda";
  c.data_dir = dl::test::shared_data_dir(), c.out_dir = out;
  return c;
}

experiments::TrainOptions quiet(double checkpoint_minutes) {
  experiments::TrainOptions o;
  o.progress = false;
  o.checkpoint_minutes = checkpoint_minutes;
  return o;
}

std::string fresh_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("dl_cuda_sync_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p.string();
}

}  // namespace

TEST(CudaSync, TrainingStepsDoNotSynchronize) {
  DL_REQUIRE_CUDA();
  const int64_t B = 16;
  std::vector<int32_t> lab(B);
  for (int64_t i = 0; i < B; ++i) lab[i] = static_cast<int32_t>((3 * i + 1) % 10);
  const Tensor clean = random_tensor({B, 3, 32, 32}, 301, 0, 1, false).to(Device::CUDA);
  const Tensor v1 = random_tensor({B, 3, 32, 32}, 302, 0, 1, false).to(Device::CUDA);
  const Tensor v2 = random_tensor({B, 3, 32, 32}, 303, 0, 1, false).to(Device::CUDA);
  const Tensor labels = from_vector_i32(lab, {B}, Device::CUDA);
  for (const char* method : {"supervised", "ae", "vae", "simclr"}) {
    SCOPED_TRACE(method);
    const experiments::RunConfig cfg = tiny(method);
    Generator init(5), noise(6);
    experiments::Image2Vec model(cfg, init);
    model.to(Device::CUDA);
    model.train();
    nn::Adam adam(model.named_parameters(), nn::AdamOptions{});
    experiments::LossSums losses(Device::CUDA, {});
    auto step = [&] {
      const experiments::StepResult s = experiments::train_step(
          adam, [&] { return experiments::training_loss(model, cfg, clean, v1, v2, labels, noise); },
          /*read_total=*/false);
      ASSERT_TRUE(s.updated);
      ASSERT_TRUE(std::isnan(s.total)) << "the total was read";
      losses.add(s.loss, s.total);
    };
    step();  // whatever is made once (cuBLAS handles, Adam's state) before the count is taken
    const uint64_t before = cuda::cuda_host_syncs();
    for (int i = 0; i < 6; ++i) step();
    EXPECT_EQ(cuda::cuda_host_syncs(), before) << "six training steps synchronized with the GPU";
    EXPECT_EQ(losses.unread_steps(), 7);
    ASSERT_TRUE(losses.read());
    EXPECT_EQ(cuda::cuda_host_syncs(), before + 1) << "reading the loss sums is one synchronization";
    EXPECT_GT(losses.sums().at("loss"), 0.0);
    EXPECT_TRUE(std::isfinite(losses.last_total()));
    EXPECT_TRUE(losses.read());  // nothing unread: no copy
    EXPECT_EQ(cuda::cuda_host_syncs(), before + 1);
  }
}

// LARS needs two norms per parameter tensor; they stay on the GPU (cuda::lars_update).
TEST(CudaSync, LarsStepsDoNotSynchronize) {
  DL_REQUIRE_CUDA();
  const int64_t B = 16;
  const Tensor clean = random_tensor({B, 3, 32, 32}, 321, 0, 1, false).to(Device::CUDA);
  const Tensor labels = from_vector_i32(std::vector<int32_t>(B, 3), {B}, Device::CUDA);
  const experiments::RunConfig cfg = tiny("supervised");
  Generator init(5), noise(6);
  experiments::Image2Vec model(cfg, init);
  model.to(Device::CUDA);
  model.train();
  nn::LARS lars(model.named_parameters(), nn::LARSOptions{});
  auto step = [&] {
    const experiments::StepResult s = experiments::train_step(
        lars, [&] { return experiments::training_loss(model, cfg, clean, clean, clean, labels, noise); },
        /*read_total=*/false);
    ASSERT_TRUE(s.updated);
  };
  step();  // the momentum buffers and cuBLAS handles are made once
  const uint64_t before = cuda::cuda_host_syncs();
  for (int i = 0; i < 3; ++i) step();
  EXPECT_EQ(cuda::cuda_host_syncs(), before) << "three LARS steps synchronized with the GPU";
}

TEST(CudaSync, TrainLoopReadsTheLossOnlyAtTheEpochEnd) {
  DL_REQUIRE_CUDA();
  DL_REQUIRE_SHARED_DATA(data::DatasetKind::MNIST);
  const std::string dir = fresh_dir("loop");
  experiments::RunConfig c = smoke_on_gpu("simclr", dir);
  c.batch_size = 32, c.train_limit = 320;  // 10 steps
  std::vector<uint64_t> syncs;
  experiments::TrainOptions o = quiet(1e6);  // no checkpoint inside the epoch
  o.after_step = [&](int64_t) { syncs.push_back(cuda::cuda_host_syncs()); };
  const experiments::TrainResult r = experiments::train(c, o);
  EXPECT_TRUE(r.finished);
  ASSERT_EQ(syncs.size(), 10u);
  EXPECT_EQ(syncs.back(), syncs.front()) << "steps 2 to 10 synchronized " << syncs.back() - syncs.front()
                                         << " times; expected none without progress line or checkpoint";
  fs::remove_all(dir);
}

TEST(CudaSync, OutOfRangeLabelRaisesAtTheNextSynchronization) {
  DL_REQUIRE_CUDA();
  Tensor logits = random_tensor({4, 10}, 311, -1, 1, true).to(Device::CUDA);
  logits.set_requires_grad(true);
  const Tensor labels = from_vector_i32({0, 1, 2, 12}, {4}, Device::CUDA);
  Tensor loss;
  ASSERT_NO_THROW(loss = cross_entropy(logits, labels)) << "the call itself must not wait for the GPU";
  loss.backward();
  try {
    (void)loss.item();
    FAIL() << "expected the deferred label error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("cross_entropy: label 12 at index 3 is outside [0, 10)"), std::string::npos) << m;
    EXPECT_NE(m.find("detected on the GPU"), std::string::npos) << m;
  }
  // Reported once: the slot is cleared, the backend works on, the bad row is NaN and never read past.
  const std::vector<float> g = logits.grad().to_vector();
  for (int k = 0; k < 10; ++k) {
    EXPECT_TRUE(std::isfinite(g[k])) << k;
    EXPECT_TRUE(std::isnan(g[30 + k])) << k;
  }
  EXPECT_NO_THROW(cross_entropy(logits.detach(), from_vector_i32({9, 0, 3, 4}, {4}, Device::CUDA)).item());
  (void)cross_entropy(logits.detach(), from_vector_i32({-1, 0, 3, 4}, {4}, Device::CUDA));
  EXPECT_THROW(backend(Device::CUDA).synchronize(), Error) << "a negative label";
}

TEST(CudaSync, NanLossStopsTrainingBeforeACheckpointHoldsIt) {
  DL_REQUIRE_CUDA();
  DL_REQUIRE_SHARED_DATA(data::DatasetKind::MNIST);
  // 3 steps per epoch; the NaN enters at global step 4 (epoch 2, batch 2) and, without a check
  // before the update, reaches the weights. 1e6 minutes: found at the epoch's end; 0: a checkpoint
  // after every step, each preceded by a read.
  for (const double minutes : {1e6, 0.0}) {
    SCOPED_TRACE(minutes);
    const std::string dir = fresh_dir("nan");
    experiments::RunConfig c = smoke_on_gpu("ae", dir);
    c.epochs = 2;
    c.inject_nan_step = 4;
    try {
      experiments::train(c, quiet(minutes));
      FAIL() << "expected TrainingDiverged";
    } catch (const experiments::TrainingDiverged& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("non-finite loss in steps"), std::string::npos) << m;
      EXPECT_NE(m.find("last good checkpoint"), std::string::npos) << m;
    }
    const NamedTensors ck = read_safetensors(experiments::checkpoint_path(c.run_dir()));
    EXPECT_EQ(ck.metadata.at("step"), minutes == 0.0 ? "4" : "3") << "the checkpoint is not the last good state";
    for (const auto& [name, t] : ck.tensors) {
      if (t.dtype() != DType::F32) continue;
      for (const float v : t.to_vector()) ASSERT_TRUE(std::isfinite(v)) << name << " holds a non-finite value";
    }
    EXPECT_FALSE(fs::exists(experiments::result_path(c.run_dir())));
    fs::remove_all(dir);
  }
}
