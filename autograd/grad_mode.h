// grad_mode.h - whether operations record history. NoGradGuard turns recording off for a scope
// (evaluation, feature extraction, optimizer updates); guards nest.
#pragma once

namespace dl {

bool grad_enabled();

class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace dl
