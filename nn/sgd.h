// sgd.h - SGD with momentum, dampening, Nesterov and L2 weight decay, PyTorch semantics
// (formulas in kernels/cpu/sgd.h): the first step of a parameter sets buf = d, later ones
// buf = momentum buf + (1 - dampening) d. State kind: "momentum_buffer".
#pragma once
#include "nn/optimizer.h"

namespace dl::nn {

struct SGDOptions {
  float lr = 0.1f;
  float momentum = 0.0f;
  float dampening = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  SGD(NamedTensorList params, const SGDOptions& options);
  const SGDOptions& options() const { return opt_; }

 protected:
  void update(Slot& slot, const Tensor& grad) override;

 private:
  SGDOptions opt_;
};

}  // namespace dl::nn
