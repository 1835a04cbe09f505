// debug_dump.cpp - see debug_dump.h.
#include "experiments/debug_dump.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tensor/safetensors.h"

namespace dl::experiments {

DebugDump::DebugDump(std::string dir) : dir_(std::move(dir)) {
  if (enabled()) std::filesystem::create_directories(dir_);
}

void DebugDump::write_start(const Image2Vec& model, const RunConfig& cfg, const data::Dataset& val) const {
  if (!enabled()) return;
  nn::NamedTensorList state;
  for (const auto& [name, t] : model.state_dict()) state.emplace_back(name, t.to(Device::CPU));
  write_safetensors(dir_ + "/init.safetensors", state, {{"config", to_json(cfg).dump()}});
  const data::Batch v = data::clean_batch(val, 0, val.size());
  write_safetensors(dir_ + "/val.safetensors", {{"images", v.clean}, {"labels", v.labels}});
}

Tensor DebugDump::peek_noise(const Image2Vec& model, const RunConfig& cfg, const Generator& gen,
                             int64_t batch) const {
  if (!enabled() || model.method != Method::VAE) return Tensor();
  Generator copy = gen;  // same key and offset: the next draw of the run's generator
  return rand_normal({batch, cfg.latent_dim}, 0.0f, 1.0f, copy, model.device()).to(Device::CPU);
}

void DebugDump::write_step(int64_t step, const data::Batch& b, const Tensor& noise, const StepLoss& loss,
                           const Image2Vec& model) const {
  if (!enabled()) return;
  std::vector<std::pair<std::string, Tensor>> t = {{"clean", b.clean}, {"labels", b.labels}};
  if (b.view1.defined()) t.emplace_back("view1", b.view1), t.emplace_back("view2", b.view2);
  if (noise.defined()) t.emplace_back("noise", noise);
  t.emplace_back("ours.loss", from_vector({loss.total.item()}, {1}));
  for (const auto& [k, v] : loss.parts) t.emplace_back("ours." + k, from_vector({v.item()}, {1}));
  for (const auto& [k, v] : model.named_buffers()) t.emplace_back("after." + k, v.to(Device::CPU));
  char name[48];
  std::snprintf(name, sizeof name, "/step_%05lld.safetensors", static_cast<long long>(step));
  write_safetensors(dir_ + name, t,
                    {{"epoch", std::to_string(b.epoch)}, {"batch", std::to_string(b.index)}, {"step", std::to_string(step)}});
}

}  // namespace dl::experiments
