// checkpoint.cpp - see checkpoint.h.
#include "nn/checkpoint.h"

#include <cstdio>
#include <set>

#include "tensor/error.h"

namespace dl::nn {

static constexpr const char* kFormat = "dl-checkpoint-1";

static void fnv1a(uint64_t& h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
}

std::string tensors_checksum(const std::vector<std::pair<std::string, Tensor>>& tensors) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& [name, t] : tensors) {
    fnv1a(h, name.data(), name.size());
    const int32_t dtype = t.dtype() == DType::F32 ? 0 : 1;
    fnv1a(h, &dtype, sizeof dtype);
    for (int64_t d : t.shape()) fnv1a(h, &d, sizeof d);
    const Tensor host = t.to(Device::CPU);
    fnv1a(h, host.dtype() == DType::F32 ? static_cast<const void*>(host.data()) : host.data_i32(), host.nbytes());
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optim, const CheckpointInfo& info,
                     const GeneratorList& generators) {
  NamedTensorList tensors = model.state_dict();
  for (const auto& [name, _] : tensors)
    DL_CHECK(name.rfind("optim.", 0) != 0, "save_checkpoint: model tensor '", name, "' collides with optimizer names");
  if (optim)
    for (auto& nt : optim->state()) tensors.push_back(nt);
  std::map<std::string, std::string> meta;
  meta["format"] = kFormat;
  meta["epoch"] = std::to_string(info.epoch);
  meta["step"] = std::to_string(info.step);
  for (const auto& [k, v] : info.extra) meta["extra." + k] = v;
  for (const auto& [name, g] : generators) {
    DL_CHECK(g != nullptr, "save_checkpoint: generator '", name, "' is null");
    meta["rng." + name + ".seed"] = std::to_string(g->seed());
    meta["rng." + name + ".offset"] = std::to_string(g->offset());
  }
  meta["checksum"] = tensors_checksum(tensors);
  write_safetensors(path, tensors, meta);
}

static const std::string& meta_at(const NamedTensors& f, const std::string& key) {
  auto it = f.metadata.find(key);
  DL_CHECK(it != f.metadata.end(), f.source, ": checkpoint metadata has no '", key, "'");
  return it->second;
}

static uint64_t parse_u64(const NamedTensors& f, const std::string& key) {
  const std::string& s = meta_at(f, key);
  size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  DL_CHECK(!s.empty() && used == s.size() && s[0] != '-', f.source, ": metadata '", key, "' = '", s,
           "' is not a non-negative integer");
  return v;
}

CheckpointInfo load_checkpoint(const std::string& path, Module& model, Optimizer* optim,
                               const GeneratorList& generators) {
  const NamedTensors f = read_safetensors(path);  // missing / truncated / malformed -> error
  DL_CHECK(f.metadata.count("format") && f.metadata.at("format") == kFormat, path,
           ": not a checkpoint written by save_checkpoint (metadata 'format' is not '", kFormat, "')");
  const std::string stored = meta_at(f, "checksum"), actual = tensors_checksum(f.tensors);
  DL_CHECK(stored == actual, path, ": corrupt checkpoint: checksum ", actual, " but the file records ", stored);

  // Every tensor in the file must belong to the model or the optimizer state.
  std::set<std::string> model_names;
  for (const auto& [n, _] : model.state_dict()) model_names.insert(n);
  for (const auto& [n, _] : f.tensors)
    DL_CHECK(model_names.count(n) || n.rfind("optim.", 0) == 0, path, ": holds tensor '", n,
             "', which the model does not have (different architecture or width?)");

  CheckpointInfo info;
  info.epoch = static_cast<int64_t>(parse_u64(f, "epoch"));
  info.step = static_cast<int64_t>(parse_u64(f, "step"));
  for (const auto& [k, v] : f.metadata)
    if (k.rfind("extra.", 0) == 0) info.extra[k.substr(6)] = v;
  std::vector<std::pair<uint64_t, uint64_t>> rng;
  for (const auto& [name, g] : generators) {
    DL_CHECK(g != nullptr, "load_checkpoint: generator '", name, "' is null");
    rng.emplace_back(parse_u64(f, "rng." + name + ".seed"), parse_u64(f, "rng." + name + ".offset"));
  }

  // Both loaders check every name and shape before copying anything.
  model.load_state(f, "", false);
  if (optim) optim->load_state(f);
  for (size_t i = 0; i < generators.size(); ++i) generators[i].second->set_state(rng[i].first, rng[i].second);
  return info;
}

}  // namespace dl::nn
