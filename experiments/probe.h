// probe.h - the standard evaluation protocol (what the paper's caption describes; the reference
// code does not do it, see docs/protocol.md section 4): load a trained encoder, freeze it (eval mode, no
// history), compute the representations of the training images and of the official test set
// once, train a fresh two-layer MLP (Linear(F, hidden) -> BatchNorm1d(eps 1e-5) -> ReLU ->
// Linear(hidden, 10)) on them with Adam, and report the test accuracy after the last epoch.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "experiments/config.h"

namespace dl::experiments {

struct ProbeOptions {
  int64_t epochs = 20;
  double lr = 3e-4;
  double bn_eps = 1e-5;
  int64_t batch_size = 256;
  uint64_t seed = 0;
  int64_t train_limit = -1;  // -1: the training run's own train_limit; 0: the whole train split
  int64_t test_limit = 0;    // the first N official test images (0 = all)
  std::string device = "auto";
  std::string data_dir;      // empty: the training run's
  bool progress = true;
};

// The options a RunConfig implies (its probe_* settings, seed, device, data dir).
ProbeOptions probe_options(const RunConfig& cfg);

struct ProbeResult {
  std::string checkpoint;
  RunConfig train_config;        // read from the checkpoint
  ProbeOptions options;
  int64_t train_images = 0, test_images = 0, feature_dim = 0;
  double test_acc = 0;           // after the last epoch
  double train_acc = 0;          // on the training features, after the last epoch
  std::vector<double> test_acc_per_epoch;
  double extract_seconds = 0, train_seconds = 0;
};

ProbeResult posthoc_probe(const std::string& checkpoint, const ProbeOptions& opt);

nlohmann::json to_json(const ProbeResult& r);

// The RunConfig stored in a checkpoint written by train().
RunConfig checkpoint_config(const std::string& checkpoint);

}  // namespace dl::experiments
