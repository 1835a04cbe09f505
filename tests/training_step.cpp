// training_step.cpp - see training_step.h.
#include "tests/training_step.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "experiments/losses.h"
#include "experiments/model.h"
#include "nn/adam.h"
#include "tests/gradcheck.h"

namespace dl::test {

StepInputs tiny_step_inputs(int64_t B) {
  std::vector<int32_t> lab(B);
  for (int64_t i = 0; i < B; ++i) lab[i] = static_cast<int32_t>((3 * i + 1) % 10);
  return {random_tensor({B, 3, 32, 32}, 101, 0.0f, 1.0f, false), random_tensor({B, 3, 32, 32}, 102, 0.0f, 1.0f, false),
          random_tensor({B, 3, 32, 32}, 103, 0.0f, 1.0f, false), from_vector_i32(lab, {B})};
}

experiments::RunConfig tiny_step_config(const std::string& method, int64_t B) {
  experiments::RunConfig cfg;
  cfg.method = method;
  cfg.dataset = "cifar10";
  cfg.width = 2, cfg.hidden_dim = 16, cfg.latent_dim = 8, cfg.simclr_dim = 8, cfg.batch_size = B, cfg.seed = 5;
  cfg.validate();
  return cfg;
}

StepResult one_training_step(const experiments::RunConfig& cfg, Device dev, const StepInputs& in) {
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
      experiments::training_loss(model, cfg, in.clean.to(dev), in.v1.to(dev), in.v2.to(dev), in.labels.to(dev), noise_gen);
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

// Tolerances. This tiny network (2 channels, BN over 8 images) is chaotic: perturbing the inputs
// by 2e-5 relative flips a few ReLU masks and moves single gradient tensors by up to 7%
// (measured), while a wrong or missing kernel moves them by O(1). So: the loss to 1e-4, each
// gradient tensor to 20% of its RMS, the whole model's gradient to a normalized error of 1e-3, and
// the Adam updates (about lr sign(g) per element) to a normalized error of 0.1 (0 = same signs; a
// missing step gives 1, a reversed one 4), each element within 2 lr. A linear layer feeding a
// training-mode BN (the heads' fc1.bias) has a gradient that is 0 in exact arithmetic, i.e.
// rounding noise that differs between implementations: held to an absolute floor.
void expect_steps_agree(const experiments::RunConfig& cfg, const StepResult& ref, const StepResult& got) {
  ASSERT_TRUE(std::isfinite(ref.loss));
  EXPECT_NEAR(got.loss, ref.loss, 1e-4 * std::abs(ref.loss) + 1e-6) << "loss";
  ASSERT_EQ(ref.grads.size(), got.grads.size());
  Generator init_gen(cfg.seed);  // the initial parameters, for the comparison of the Adam updates
  const nn::NamedTensorList init = experiments::Image2Vec(cfg, init_gen).named_parameters();
  ASSERT_EQ(init.size(), ref.params.size());
  double grad_ss = 0.0, grad_err = 0.0, upd_ss = 0.0, upd_err = 0.0;
  int64_t count = 0;
  for (const auto& [name, t] : ref.grads)
    if (t.defined())
      for (float v : t.to_vector()) grad_ss += static_cast<double>(v) * v, ++count;
  const double global_rms = std::sqrt(grad_ss / std::max<int64_t>(count, 1));
  const double lr = cfg.lr;
  for (size_t i = 0; i < ref.grads.size(); ++i) {
    const std::string& name = ref.grads[i].first;
    ASSERT_EQ(name, got.grads[i].first);
    const Tensor &gr = ref.grads[i].second, &gg = got.grads[i].second;
    ASSERT_EQ(gr.defined(), gg.defined()) << name;
    bool noise = true;
    if (gr.defined()) {
      const std::vector<float> vr = gr.to_vector(), vg = gg.to_vector();
      double e2 = 0.0, r2 = 0.0;
      for (size_t k = 0; k < vr.size(); ++k) {
        const double d = static_cast<double>(vg[k]) - vr[k];
        e2 += d * d, r2 += static_cast<double>(vr[k]) * vr[k];
      }
      grad_err += e2;
      const double n = static_cast<double>(vr.size()), err_rms = std::sqrt(e2 / n), ref_rms = std::sqrt(r2 / n);
      noise = ref_rms < 1e-4 * global_rms;
      EXPECT_LE(err_rms, 0.2 * ref_rms + 1e-5 * global_rms)
          << "gradient of " << name << " (rms " << ref_rms << ", model rms " << global_rms << ")";
    }
    const std::vector<float> p0 = init[i].second.to_vector(), pr = ref.params[i].second.to_vector(),
                             pg = got.params[i].second.to_vector();
    EXPECT_TRUE(all_close(pg, pr, static_cast<float>(2.05 * lr), 0.0f)) << "parameter " << name;
    if (!noise)
      for (size_t k = 0; k < p0.size(); ++k) {
        const double ur = static_cast<double>(pr[k]) - p0[k], ug = static_cast<double>(pg[k]) - p0[k];
        upd_ss += ur * ur, upd_err += (ug - ur) * (ug - ur);
      }
  }
  EXPECT_LE(grad_err / grad_ss, 1e-3) << "normalized error of the whole model's gradient";
  EXPECT_LE(upd_err / upd_ss, 0.1) << "normalized error of the Adam updates";
  ASSERT_EQ(ref.buffers.size(), got.buffers.size());
  for (size_t i = 0; i < ref.buffers.size(); ++i) {
    if (ref.buffers[i].second.dtype() != DType::F32) continue;
    EXPECT_TRUE(all_close(got.buffers[i].second.to_vector(), ref.buffers[i].second.to_vector(), 1e-5f, 1e-4f))
        << "buffer " << ref.buffers[i].first;
  }
}

}  // namespace dl::test
