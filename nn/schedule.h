// schedule.h - learning-rate schedules, as functions of the optimizer step (0-based: the rate
// for the step about to be taken). The reference uses a constant rate; warm-up + cosine is for
// the standard-SimCLR preset. Apply with optimizer.set_lr(schedule.lr(step)) before each step.
#pragma once
#include <cstdint>

namespace dl::nn {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual float lr(int64_t step) const = 0;
};

class ConstantLr : public LrSchedule {
 public:
  explicit ConstantLr(float lr) : lr_(lr) {}
  float lr(int64_t) const override { return lr_; }

 private:
  float lr_;
};

// Linear warm-up from base/warmup to base over steps [0, warmup), i.e. lr = base (step + 1) / warmup,
// then cosine decay from base to final_lr over [warmup, total):
//   lr = final + (base - final) (1 + cos(pi (step - warmup) / (total - warmup))) / 2;
// steps at or past `total` get final_lr.
class WarmupCosineLr : public LrSchedule {
 public:
  WarmupCosineLr(float base_lr, int64_t warmup_steps, int64_t total_steps, float final_lr = 0.0f);
  float lr(int64_t step) const override;

 private:
  float base_, final_;
  int64_t warmup_, total_;
};

}  // namespace dl::nn
