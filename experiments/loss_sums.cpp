// loss_sums.cpp - see loss_sums.h.
#include "experiments/loss_sums.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"

namespace dl::experiments {

LossSums::LossSums(Device device, std::map<std::string, double> sums) : device_(device), sums_(std::move(sums)) {}

void LossSums::add(const StepLoss& loss, double total) {
  if (device_ == Device::CPU) {
    sums_["loss"] += total;
    for (const auto& [k, v] : loss.parts) sums_[k] += v.item();
    last_total_ = total;
    return;
  }
  const NoGradGuard no_tape;  // bookkeeping, not part of the step's graph
  auto accumulate = [&](const std::string& key, const Tensor& v) {
    Tensor& sum = pending_[key];
    sum = sum.defined() ? dl::add(sum, v.detach()) : v.detach();  // dl::add: LossSums::add hides it
  };
  accumulate("loss", loss.total);
  for (const auto& [k, v] : loss.parts) accumulate(k, v);
  pending_last_total_ = loss.total.detach();
  ++unread_;
}

bool LossSums::read() {
  if (unread_ == 0) return true;  // the CPU always; CUDA right after a read
  std::vector<Tensor> rows;
  for (const auto& [k, t] : pending_) rows.push_back(t.view({1}));
  rows.push_back(pending_last_total_.view({1}));
  const std::vector<float> values = concat_rows(rows).to_vector();  // the one synchronization
  last_read_.clear();
  size_t i = 0;
  for (const auto& [k, t] : pending_) {
    last_read_[k] = values[i++];
    sums_[k] += last_read_[k];
  }
  last_total_ = values.back();
  pending_.clear();
  pending_last_total_ = Tensor();
  unread_ = 0;
  return std::isfinite(last_read_.at("loss"));
}

std::string LossSums::last_read_text() const {
  std::string s;
  char buf[96];
  for (const auto& [k, v] : last_read_) {
    std::snprintf(buf, sizeof buf, "%s%s %g", s.empty() ? "" : ", ", k.c_str(), v);
    s += buf;
  }
  return s;
}

}  // namespace dl::experiments
