// adam.h - Adam and AdamW with PyTorch 1.13 semantics (formulas in kernels/cpu/adam.h):
// bias-corrected moments, eps added outside the square root, per-parameter step counts.
// Adam's weight_decay is L2 added to the gradient; AdamW's is decoupled (param *= 1 - lr wd).
// The reference trains everything with Adam(lr=3e-4), betas (0.9, 0.999), eps 1e-8, no decay.
// State kinds: "exp_avg", "exp_avg_sq".
#pragma once
#include "nn/optimizer.h"

namespace dl::nn {

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  bool decoupled = false;  // true = AdamW
};

class Adam : public Optimizer {
 public:
  Adam(NamedTensorList params, const AdamOptions& options);
  const AdamOptions& options() const { return opt_; }

 protected:
  void update(Slot& slot, const Tensor& grad) override;

 private:
  AdamOptions opt_;
};

// AdamW = Adam with decoupled weight decay (PyTorch's default decay 1e-2).
inline AdamOptions adamw_options(float lr, float weight_decay = 1e-2f) {
  AdamOptions o;
  o.lr = lr, o.weight_decay = weight_decay, o.decoupled = true;
  return o;
}

}  // namespace dl::nn
