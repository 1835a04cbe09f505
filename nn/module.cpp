// module.cpp - see module.h.
#include "nn/module.h"

#include "kernels/cuda/nvtx.h"

#include <set>

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace dl::nn {

Tensor Module::forward(const Tensor&) {
  DL_FAIL("this module has no single-input forward(); call its parts (children: ", children_.size(), ")");
}

void Module::register_parameter(const std::string& name, Tensor* slot) {
  DL_CHECK(slot && slot->defined(), "register_parameter('", name, "'): undefined tensor");
  for (const auto& [n, _] : params_) DL_CHECK(n != name, "parameter '", name, "' registered twice");
  if (!slot->is_leaf()) *slot = slot->detach();
  slot->set_requires_grad(true);
  params_.emplace_back(name, slot);
}

void Module::register_buffer(const std::string& name, Tensor* slot) {
  DL_CHECK(slot && slot->defined(), "register_buffer('", name, "'): undefined tensor");
  for (const auto& [n, _] : buffers_) DL_CHECK(n != name, "buffer '", name, "' registered twice");
  buffers_.emplace_back(name, slot);
}

Tensor Module::operator()(const Tensor& x) {
  NvtxRange range(range_name_);
  return forward(x);
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> m) {
  DL_CHECK(m != nullptr, "register_module('", name, "'): null module");
  for (const auto& [n, _] : children_) DL_CHECK(n != name, "child module '", name, "' registered twice");
  m->train(training_);
  m->range_name_ = name;
  children_.emplace_back(name, std::move(m));
}

void Module::collect(const std::string& prefix, bool params, bool buffers,
                     std::vector<std::pair<std::string, Tensor*>>& out) const {
  if (params)
    for (const auto& [n, t] : params_) out.emplace_back(prefix + n, t);
  if (buffers)
    for (const auto& [n, t] : buffers_) out.emplace_back(prefix + n, t);
  for (const auto& [n, c] : children_) c->collect(prefix + n + ".", params, buffers, out);
}

static NamedTensorList deref(const std::vector<std::pair<std::string, Tensor*>>& v) {
  NamedTensorList out;
  out.reserve(v.size());
  for (const auto& [n, t] : v) out.emplace_back(n, *t);
  return out;
}

NamedTensorList Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", true, false, v);
  return deref(v);
}

NamedTensorList Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", false, true, v);
  return deref(v);
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters()) out.push_back(t);
  return out;
}

NamedTensorList Module::state_dict() const {
  NamedTensorList out = named_parameters();
  for (auto& nt : named_buffers()) out.push_back(nt);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [_, t] : named_parameters()) n += t.numel();
  return n;
}

Module& Module::child(const std::string& name) const {
  std::string names;
  for (const auto& [n, c] : children_) {
    if (n == name) return *c;
    names += (names.empty() ? "" : ", ") + n;
  }
  DL_FAIL("no child module '", name, "' (children: ", names, ")");
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, c] : children_) c->train(on);
}

void Module::zero_grad() {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", true, false, v);
  for (auto& [_, t] : v) t->zero_grad();
}

void Module::to(Device device) {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", true, true, v);
  for (auto& [_, t] : v) {
    if (t->device() == device) continue;
    const bool param = t->requires_grad();
    *t = t->to(device);  // a fresh leaf on the new device (gradients are not carried over)
    if (param) t->set_requires_grad(true);
  }
}

Device Module::device() const {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", true, true, v);
  return v.empty() ? Device::CPU : v.front().second->device();
}

void Module::load_state(const NamedTensors& tensors, const std::string& prefix, bool strict) {
  std::vector<std::pair<std::string, Tensor*>> v;
  collect("", true, true, v);
  std::set<std::string> expected;
  for (auto& [n, t] : v) {
    const std::string key = prefix + n;
    expected.insert(key);
    DL_CHECK(tensors.contains(key), "load_state: '", key, "' (shape ", t->shape().str(), ") is missing from ",
             tensors.source.empty() ? "the tensors given" : tensors.source);
    const Tensor& src = tensors.at(key);
    DL_CHECK(src.shape() == t->shape() && src.dtype() == t->dtype(), "load_state: '", key, "' has shape ",
             src.shape().str(), " ", dtype_name(src.dtype()), " in ", tensors.source, " but the model expects ",
             t->shape().str(), " ", dtype_name(t->dtype()));
  }
  // PyTorch's BatchNorm counter is not kept (module.h), so a torch state_dict may carry it.
  auto ignorable = [](const std::string& n) {
    const std::string tail = "num_batches_tracked";
    return n.size() >= tail.size() && n.compare(n.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (strict)
    for (const auto& [n, _] : tensors.tensors)
      DL_CHECK(n.rfind(prefix, 0) != 0 || expected.count(n) || ignorable(n), "load_state: ", tensors.source,
               " holds '", n, "', which the model does not have");
  NoGradGuard no_grad;
  for (auto& [n, t] : v) t->copy_(tensors.at(prefix + n));  // in place: optimizers keep their handles
}

}  // namespace dl::nn
