// schedule.cpp - see schedule.h.
#include "nn/schedule.h"

#include <cmath>

#include "tensor/error.h"

namespace dl::nn {

WarmupCosineLr::WarmupCosineLr(float base_lr, int64_t warmup_steps, int64_t total_steps, float final_lr)
    : base_(base_lr), final_(final_lr), warmup_(warmup_steps), total_(total_steps) {
  DL_CHECK(warmup_steps >= 0 && total_steps > warmup_steps, "WarmupCosineLr: need 0 <= warmup (", warmup_steps,
           ") < total (", total_steps, ") steps");
}

float WarmupCosineLr::lr(int64_t step) const {
  if (step < warmup_) return base_ * static_cast<float>(step + 1) / static_cast<float>(warmup_);
  if (step >= total_) return final_;
  const double progress = static_cast<double>(step - warmup_) / static_cast<double>(total_ - warmup_);
  return static_cast<float>(final_ + (base_ - final_) * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

}  // namespace dl::nn
