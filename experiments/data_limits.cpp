// data_limits.cpp - see data_limits.h.
#include "experiments/data_limits.h"

#include <cstdio>

namespace dl::experiments {

std::vector<std::string> limit_warnings(const RunConfig& cfg, const RunData& data) {
  std::vector<std::string> out;
  // head_subset keeps min(limit, size) images, so a smaller training set means the limit exceeded it.
  if (cfg.train_limit > 0 && data.train->size() < cfg.train_limit)
    out.push_back("--train-limit " + std::to_string(cfg.train_limit) + " is more than the " +
                  std::to_string(data.train->size()) + " images of the " + cfg.dataset +
                  " training split; using all " + std::to_string(data.train->size()));
  if (cfg.test_limit > 0 && data.test->size() < cfg.test_limit)
    out.push_back("--test-limit " + std::to_string(cfg.test_limit) + " is more than the " +
                  std::to_string(data.test->size()) + " images of the " + cfg.dataset + " test set; using all " +
                  std::to_string(data.test->size()));
  return out;
}

void warn_limits_beyond_data(const RunConfig& cfg, const RunData& data) {
  for (const std::string& w : limit_warnings(cfg, data))
    std::fprintf(stderr, "%s: warning: %s\n", cfg.run_name().c_str(), w.c_str());
}

}  // namespace dl::experiments
