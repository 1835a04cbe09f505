// lars.h - LARS (You et al. 2017) as pl_bolts' LARS optimizer implements it for SimCLR
// (pl_bolts/optimizers/lars.py). Per parameter p with gradient g:
//   if p is adapted (p.ndim != 1, i.e. not a BN weight/bias or a bias) and ||p||, ||g|| > 0:
//       d = trust_coefficient * ||p|| / (||g|| + weight_decay ||p|| + eps) * (g + weight_decay p)
//   else d = g          (no adaptation and no weight decay for excluded parameters)
//   then SGD momentum (buf = d on the first step, else momentum buf + (1 - dampening) d;
//   Nesterov optional) and p -= lr d.
// State kind: "momentum_buffer". Not used by the reference code (plain Adam); provided for the
// standard-SimCLR preset.
#pragma once
#include "nn/optimizer.h"

namespace dl::nn {

struct LARSOptions {
  float lr = 0.1f;
  float momentum = 0.9f;
  float dampening = 0.0f;
  float weight_decay = 1e-6f;
  bool nesterov = false;
  float trust_coefficient = 1e-3f;
  float eps = 1e-8f;
  bool exclude_bias_and_bn = true;
};

class LARS : public Optimizer {
 public:
  LARS(NamedTensorList params, const LARSOptions& options);
  const LARSOptions& options() const { return opt_; }

 protected:
  void update(Slot& slot, const Tensor& grad) override;

 private:
  LARSOptions opt_;
};

}  // namespace dl::nn
