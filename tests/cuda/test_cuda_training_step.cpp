// test_cuda_training_step.cpp - one full, faithful training step (experiments/losses.cpp's loss:
// the three encoder passes, the online probe, the method's head and decoder; backward; Adam) of a
// tiny Image2Vec (width 2, batch 8 of 3x32x32 images) for each method, on the CPU and on CUDA
// from the same initial parameters, inputs and noise; the loss, every parameter's gradient, every
// parameter after the Adam step and every BN running statistic must agree. Also: the trainer's
// device selection (--device cuda / auto) picks CUDA when a GPU is there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "experiments/config.h"
#include "experiments/losses.h"
#include "experiments/model.h"
#include "nn/adam.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::all_close;
using dl::test::nmse;
using dl::test::random_tensor;

namespace {

struct StepResult {
  double loss = 0;
  nn::NamedTensorList grads;   // per parameter, on the CPU (undefined tensor when no gradient)
  nn::NamedTensorList params;  // after the step, on the CPU
  nn::NamedTensorList buffers;
};

StepResult one_step(const experiments::RunConfig& cfg, Device dev, const Tensor& clean, const Tensor& v1,
                    const Tensor& v2, const Tensor& labels) {
  Generator init_gen(cfg.seed);
  experiments::Image2Vec model(cfg, init_gen);
  model.to(dev);
  model.train();
  nn::AdamOptions ao;
  ao.lr = static_cast<float>(cfg.lr), ao.beta1 = static_cast<float>(cfg.beta1), ao.beta2 = static_cast<float>(cfg.beta2);
  ao.eps = static_cast<float>(cfg.adam_eps), ao.weight_decay = static_cast<float>(cfg.weight_decay);
  nn::Adam adam(model.named_parameters(), ao);
  Generator noise_gen(cfg.seed + 1);
  const experiments::StepLoss loss =
      experiments::training_loss(model, cfg, clean.to(dev), v1.to(dev), v2.to(dev), labels.to(dev), noise_gen);
  StepResult r;
  r.loss = loss.total.item();
  adam.zero_grad();
  loss.total.backward();
  for (const auto& [name, p] : model.named_parameters())
    r.grads.emplace_back(name, p.grad().defined() ? p.grad().to(Device::CPU) : Tensor());
  adam.step();
  for (const auto& [name, p] : model.named_parameters()) r.params.emplace_back(name, p.detach().to(Device::CPU));
  for (const auto& [name, b] : model.named_buffers()) r.buffers.emplace_back(name, b.to(Device::CPU));
  return r;
}

}  // namespace

TEST(CudaTrainingStep, EveryMethodMatchesCpu) {
  DL_REQUIRE_CUDA();
  const int64_t B = 8;
  const Tensor clean = random_tensor({B, 3, 32, 32}, 101, 0.0f, 1.0f, false);
  const Tensor v1 = random_tensor({B, 3, 32, 32}, 102, 0.0f, 1.0f, false);
  const Tensor v2 = random_tensor({B, 3, 32, 32}, 103, 0.0f, 1.0f, false);
  std::vector<int32_t> lab(B);
  for (int64_t i = 0; i < B; ++i) lab[i] = static_cast<int32_t>((3 * i + 1) % 10);
  const Tensor labels = from_vector_i32(lab, {B});
  for (const char* method : {"ae", "vae", "simclr", "supervised"}) {
    SCOPED_TRACE(method);
    experiments::RunConfig cfg;
    cfg.method = method;
    cfg.dataset = "cifar10";
    cfg.width = 2, cfg.hidden_dim = 16, cfg.latent_dim = 8, cfg.simclr_dim = 8, cfg.batch_size = B, cfg.seed = 5;
    cfg.validate();
    const StepResult c = one_step(cfg, Device::CPU, clean, v1, v2, labels);
    const StepResult g = one_step(cfg, Device::CUDA, clean, v1, v2, labels);
    ASSERT_TRUE(std::isfinite(c.loss));
    EXPECT_NEAR(g.loss, c.loss, 1e-4 * std::abs(c.loss) + 1e-6) << "loss";
    ASSERT_EQ(c.grads.size(), g.grads.size());
    // Initial parameters (same seed, CPU), for the comparison of the Adam updates.
    Generator init_gen(cfg.seed);
    const nn::NamedTensorList init = experiments::Image2Vec(cfg, init_gen).named_parameters();
    ASSERT_EQ(init.size(), c.params.size());
    // Tolerances. This tiny network (2 channels, BN over 8 images) is chaotic: perturbing the
    // CPU's inputs by 2e-5 relative flips a few ReLU masks and moves single gradient tensors by up
    // to 7% (measured), while a wrong or missing kernel moves them by O(1). So: the loss to 1e-4,
    // each gradient tensor to 20% of its RMS, the whole model's gradient to a normalized error of
    // 1e-3, and the Adam updates (about lr sign(g) per element) to a normalized error of 0.1
    // (0 = same signs; a missing step gives 1, a reversed one 4), each element within 2 lr.
    // A linear layer feeding a training-mode BN (the heads' fc1.bias) has a gradient that is 0 in
    // exact arithmetic, i.e. rounding noise that differs between devices: held to an absolute floor.
    double grad_ss = 0.0, grad_err = 0.0, upd_ss = 0.0, upd_err = 0.0;
    int64_t count = 0;
    for (const auto& [name, t] : c.grads)
      if (t.defined())
        for (float v : t.to_vector()) grad_ss += static_cast<double>(v) * v, ++count;
    const double global_rms = std::sqrt(grad_ss / std::max<int64_t>(count, 1));
    const double lr = cfg.lr;
    for (size_t i = 0; i < c.grads.size(); ++i) {
      const std::string& name = c.grads[i].first;
      ASSERT_EQ(name, g.grads[i].first);
      const Tensor &gc = c.grads[i].second, &gg = g.grads[i].second;
      ASSERT_EQ(gc.defined(), gg.defined()) << name;
      bool noise = true;
      if (gc.defined()) {
        const std::vector<float> vc = gc.to_vector(), vg = gg.to_vector();
        double e2 = 0.0, r2 = 0.0;
        for (size_t k = 0; k < vc.size(); ++k) {
          const double d = static_cast<double>(vg[k]) - vc[k];
          e2 += d * d, r2 += static_cast<double>(vc[k]) * vc[k];
        }
        grad_err += e2;
        const double n = static_cast<double>(vc.size()), err_rms = std::sqrt(e2 / n), ref_rms = std::sqrt(r2 / n);
        noise = ref_rms < 1e-4 * global_rms;
        EXPECT_LE(err_rms, 0.2 * ref_rms + 1e-5 * global_rms)
            << "gradient of " << name << " (rms " << ref_rms << ", model rms " << global_rms << ")";
      }
      const std::vector<float> p0 = init[i].second.to_vector(), pc = c.params[i].second.to_vector(),
                               pg = g.params[i].second.to_vector();
      EXPECT_TRUE(all_close(pg, pc, static_cast<float>(2.05 * lr), 0.0f)) << "parameter " << name;
      if (!noise)
        for (size_t k = 0; k < p0.size(); ++k) {
          const double uc = static_cast<double>(pc[k]) - p0[k], ug = static_cast<double>(pg[k]) - p0[k];
          upd_ss += uc * uc, upd_err += (ug - uc) * (ug - uc);
        }
    }
    EXPECT_LE(grad_err / grad_ss, 1e-3) << "normalized error of the whole model's gradient";
    EXPECT_LE(upd_err / upd_ss, 0.1) << "normalized error of the Adam updates";
    ASSERT_EQ(c.buffers.size(), g.buffers.size());
    for (size_t i = 0; i < c.buffers.size(); ++i) {
      if (c.buffers[i].second.dtype() != DType::F32) continue;
      EXPECT_TRUE(all_close(g.buffers[i].second.to_vector(), c.buffers[i].second.to_vector(), 1e-5f, 1e-4f))
          << "buffer " << c.buffers[i].first;
    }
  }
}

TEST(CudaTrainingStep, DeviceSelectionPicksCuda) {
  DL_REQUIRE_CUDA();
  EXPECT_EQ(experiments::resolve_device("cuda"), Device::CUDA);  // train --device cuda
  EXPECT_EQ(experiments::resolve_device("auto"), Device::CUDA);  // the default picks the GPU
  EXPECT_EQ(experiments::resolve_device("cpu"), Device::CPU);
}
