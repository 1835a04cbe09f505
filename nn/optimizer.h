// optimizer.h - the base of Adam/AdamW (nn/adam.h), SGD (nn/sgd.h) and LARS (nn/lars.h).
//
// An optimizer holds handles to the parameters (the same TensorImpl the module holds) and, per
// parameter, its state buffers (allocated zero-filled on the parameter's device at construction)
// and a step count. Build it AFTER moving the model to its device: Module::to replaces the handles.
// step() runs under NoGradGuard; a parameter whose .grad is undefined is skipped and its step
// count does not advance (PyTorch skips parameters with grad None).
//
// Checkpoint state (state() / load_state()): buffer KIND of parameter NAME is "optim.KIND.NAME",
// e.g. "optim.exp_avg.encoder.conv1.weight"; the per-parameter step counts are the int32 tensor
// "optim.step" (P) in parameter order.
#pragma once
#include <string>
#include <vector>

#include "nn/module.h"

namespace dl::nn {

class Optimizer {
 public:
  Optimizer(NamedTensorList params, float lr, std::vector<std::string> buffer_kinds);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  void step();       // one update of every parameter that has a gradient
  void zero_grad();  // drops every parameter's .grad

  float lr() const { return lr_; }
  void set_lr(float lr) { lr_ = lr; }  // for schedules (nn/schedule.h)
  int64_t steps_taken() const { return steps_; }

  NamedTensorList state() const;
  // Every buffer and the step vector must be present with matching shapes; errors name the first
  // offending tensor and the file.
  void load_state(const NamedTensors& tensors);

 protected:
  struct Slot {
    std::string name;
    Tensor param;
    std::vector<Tensor> buffers;  // one per buffer kind
    int64_t step = 0;             // updates applied so far
  };
  // Update one parameter whose gradient is defined; slot.step is already incremented (>= 1).
  virtual void update(Slot& slot, const Tensor& grad) = 0;

  std::vector<Slot> slots_;

 private:
  std::vector<std::string> kinds_;
  float lr_;
  int64_t steps_ = 0;
};

}  // namespace dl::nn
