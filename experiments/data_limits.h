// data_limits.h - --train-limit / --test-limit larger than the data. The run clamps them (uses the
// whole split) and says so in one warning line on stderr, rather than failing: table1 applies the
// same limit to MNIST (59,000 training images) and CIFAR-10 (49,000), so a limit valid for one
// dataset may exceed the other.
#pragma once
#include <string>
#include <vector>

#include "experiments/config.h"
#include "experiments/run_data.h"

namespace dl::experiments {

// The warning lines (empty when both limits fit). `data` is load_run_data(cfg)'s result.
std::vector<std::string> limit_warnings(const RunConfig& cfg, const RunData& data);

// Prints limit_warnings to stderr, one line each, prefixed "<run name>: warning: ".
void warn_limits_beyond_data(const RunConfig& cfg, const RunData& data);

}  // namespace dl::experiments
