// table1.h - the paper's Table 1: train the 8 models (4 methods x 2 datasets, or a subset), probe
// each one both ways, and write results/table1.md (the paper's numbers beside ours) and
// results/table1.json, the training curves results/curves_<dataset>.{png,svg} (curves.h, redrawn
// after every run); then the t-SNE figures results/fig_<dataset>.{png,svg} (Figures 1, 2).
//
// Two numbers per model:
//   faithful  the reference's online probe (trained with the encoder, stop-gradient), accuracy on
//             the 1000-image validation split after the last epoch: what the paper reports;
//   standard  a fresh MLP probe trained after the fact on the frozen encoder's representations
//             (experiments/probe.h), accuracy on the official test set.
// Runs already finished are reused (train with resume), interrupted ones resume from their
// checkpoint; a probe whose probe.json matches the settings is reused too.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "experiments/config.h"

namespace dl::experiments {

struct Table1Options {
  std::vector<std::string> methods = {"ae", "vae", "simclr", "supervised"};
  std::vector<std::string> datasets = {"mnist", "cifar10"};
  std::string preset = "cpu";
  std::map<std::string, std::string> overrides;  // config key -> text, applied to every run
  std::string results_dir = "results";           // runs go to <results_dir>/runs unless out_dir is overridden
  bool progress = true;
  double progress_interval_s = 30;
  bool figures = true;
  int tsne_iters = 1000;
  double checkpoint_minutes = 10;  // TrainOptions::checkpoint_minutes of every run
  // jobs > 1: the cells are first trained `jobs` at a time, each by a re-executed `executable`
  // on `threads_per_job` threads (experiments/table1_jobs.h); then the table is made as usual.
  int jobs = 1;
  int threads_per_job = 1;
  std::string executable;
};

// The paper's Table 1 in percent, or NaN for an unknown (dataset, method).
double paper_accuracy(const std::string& dataset, const std::string& method);

// The RunConfig of one cell: the preset, the cell's method and dataset, then the overrides.
RunConfig table1_config(const Table1Options& opt, const std::string& dataset, const std::string& method);

// Runs everything; returns what it wrote to table1.json.
nlohmann::json run_table1(const Table1Options& opt);

// One paragraph listing every setting of `config` (a run's JSON config) that differs from the
// `paper` preset, the reference code's settings.
std::string departures_markdown(const nlohmann::json& config);

// The Markdown report of a table1.json document.
std::string table1_markdown(const nlohmann::json& doc);

// t-SNE of each finished run's features_val.safetensors -> <results_dir>/fig_<dataset>.{png,svg};
// methods without features are drawn as "not run". Returns the figure stems written.
std::vector<std::string> write_tsne_figures(const nlohmann::json& doc, const std::string& results_dir, int tsne_iters,
                                            bool progress);

}  // namespace dl::experiments
