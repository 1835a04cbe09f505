// module.h - the base of every layer and network: named parameters and buffers collected
// recursively under PyTorch's names ("layer2.0.downsample.1.running_mean"), train/eval mode,
// zero_grad, parameter counting, moving to a device and loading tensors by name.
//
// A module registers POINTERS to its own Tensor members (register_parameter(&weight)), so that
// moving to a device can replace the handle in place and the layer's forward() sees the moved
// tensor. Modules are therefore neither copyable nor movable; they live in std::shared_ptr.
//
// BatchNorm's num_batches_tracked buffer is not kept: it only matters to PyTorch when
// momentum=None (cumulative average), which no model here uses.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/functions.h"
#include "tensor/safetensors.h"

namespace dl::nn {

using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // One input, one output: every layer and network in this project. Modules that are only
  // containers of parameters (a whole model holding an encoder and heads) need not override it.
  virtual Tensor forward(const Tensor& x);
  // Calls forward() inside an NVTX range named after the module ("layer2", "conv1", ...), so an
  // Nsight Systems timeline shows the network's structure (a no-op without CUDA).
  Tensor operator()(const Tensor& x);

  // Recursive, in registration order, children after the module's own tensors (as PyTorch).
  NamedTensorList named_parameters() const;
  NamedTensorList named_buffers() const;
  std::vector<Tensor> parameters() const;
  NamedTensorList state_dict() const;  // parameters then buffers
  int64_t num_parameters() const;      // total elements of all parameters

  // The child registered as `name` (direct children only); error names the children if missing.
  Module& child(const std::string& name) const;

  void train(bool on = true);  // recursively
  void eval() { train(false); }
  bool is_training() const { return training_; }

  void zero_grad();  // drops every parameter's .grad

  // Moves every parameter and buffer; parameters stay leaves that require grad.
  void to(Device device);
  Device device() const;  // of the first parameter or buffer (CPU if there is none)

  // Copies tensors[prefix + name] into every parameter and buffer (on whatever device they are).
  // Every state_dict name must be present with the same shape; with `strict`, the file may hold
  // no other tensor under `prefix` (PyTorch's "*.num_batches_tracked" are tolerated). Errors name
  // the first offending tensor and the source file.
  void load_state(const NamedTensors& tensors, const std::string& prefix = "", bool strict = true);

 protected:
  // `slot` must be a member of this module; it becomes a leaf that requires grad.
  void register_parameter(const std::string& name, Tensor* slot);
  void register_buffer(const std::string& name, Tensor* slot);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> m) {
    add_child(name, m);
    return m;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> m);
  void collect(const std::string& prefix, bool params, bool buffers,
               std::vector<std::pair<std::string, Tensor*>>& out) const;

  std::vector<std::pair<std::string, Tensor*>> params_, buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  std::string range_name_ = "module";  // its name in the parent, for NVTX
};

// Holds named children, e.g. a whole experiment model {encoder, decoder, ae_mlp, cls_mlp}.
class ModuleDict : public Module {
 public:
  template <typename M>
  std::shared_ptr<M> add(const std::string& name, std::shared_ptr<M> m) {
    return register_module(name, std::move(m));
  }
};

}  // namespace dl::nn
