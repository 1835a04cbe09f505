// optimizer.cpp - see optimizer.h.
#include "nn/optimizer.h"

#include "kernels/cuda/nvtx.h"

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace dl::nn {

Optimizer::Optimizer(NamedTensorList params, float lr, std::vector<std::string> buffer_kinds)
    : kinds_(std::move(buffer_kinds)), lr_(lr) {
  DL_CHECK(!params.empty(), "optimizer given no parameters");
  for (auto& [name, p] : params) {
    DL_CHECK(p.defined() && p.is_leaf() && p.requires_grad(), "optimizer: parameter '", name,
             "' must be a leaf that requires grad");
    Slot s{name, p, {}, 0};
    for (size_t k = 0; k < kinds_.size(); ++k) s.buffers.push_back(zeros(p.shape(), p.device()));
    slots_.push_back(std::move(s));
  }
}

void Optimizer::step() {
  NvtxRange range("optimizer.step");
  NoGradGuard no_grad;
  for (Slot& s : slots_) {
    const Tensor g = s.param.grad();
    if (!g.defined()) continue;
    DL_CHECK(g.device() == s.param.device(), "optimizer: gradient of '", s.name, "' is on ", device_name(g.device()),
             " but the parameter on ", device_name(s.param.device()));
    ++s.step;
    update(s, g);
  }
  ++steps_;
}

void Optimizer::zero_grad() {
  for (Slot& s : slots_) s.param.zero_grad();
}

NamedTensorList Optimizer::state() const {
  NamedTensorList out;
  for (size_t k = 0; k < kinds_.size(); ++k)
    for (const Slot& s : slots_) out.emplace_back("optim." + kinds_[k] + "." + s.name, s.buffers[k]);
  std::vector<int32_t> steps;
  for (const Slot& s : slots_) {
    DL_CHECK(s.step < (int64_t{1} << 31), "optimizer step count overflows int32");
    steps.push_back(static_cast<int32_t>(s.step));
  }
  out.emplace_back("optim.step", from_vector_i32(steps, {static_cast<int64_t>(steps.size())}));
  return out;
}

void Optimizer::load_state(const NamedTensors& tensors) {
  const std::string src = tensors.source.empty() ? "the tensors given" : tensors.source;
  for (size_t k = 0; k < kinds_.size(); ++k)
    for (const Slot& s : slots_) {
      const std::string key = "optim." + kinds_[k] + "." + s.name;
      DL_CHECK(tensors.contains(key), "optimizer state '", key, "' is missing from ", src);
      const Tensor& t = tensors.at(key);
      DL_CHECK(t.shape() == s.param.shape() && t.dtype() == DType::F32, "optimizer state '", key, "' has shape ",
               t.shape().str(), " in ", src, " but the parameter is ", s.param.shape().str());
    }
  DL_CHECK(tensors.contains("optim.step"), "optimizer step counts 'optim.step' are missing from ", src);
  const Tensor& steps = tensors.at("optim.step");
  DL_CHECK(steps.dtype() == DType::I32 && steps.shape() == Shape{static_cast<int64_t>(slots_.size())},
           "'optim.step' in ", src, " is ", steps.shape().str(), " ", dtype_name(steps.dtype()), ", expected (",
           slots_.size(), ",) i32 (one count per parameter)");
  const std::vector<int32_t> counts = steps.to_vector_i32();
  int64_t max_step = 0;
  for (size_t i = 0; i < slots_.size(); ++i) {
    DL_CHECK(counts[i] >= 0, "'optim.step' in ", src, " has a negative count for '", slots_[i].name, "'");
    slots_[i].step = counts[i];
    max_step = std::max<int64_t>(max_step, counts[i]);
    for (size_t k = 0; k < kinds_.size(); ++k)
      slots_[i].buffers[k].copy_(tensors.at("optim." + kinds_[k] + "." + slots_[i].name));
  }
  steps_ = max_step;
}

}  // namespace dl::nn
