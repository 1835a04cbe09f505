// curves.h - the training curves of Table 1's runs: results/curves_<dataset>.{png,svg}, one
// figure per dataset, drawn with line_chart.h. Left panel: the online probe's validation
// accuracy after each epoch, per method, and the post-hoc probe's test accuracy as a diamond at
// the epoch of the checkpoint it probed (nudged sideways per method). Right panel: each method's
// own training loss (AE: MSE; VAE: MSE + beta KL; SimCLR: NT-Xent; supervised: cross-entropy)
// divided by its epoch-1 mean, since the four losses are different quantities on different
// scales; the legend gives the absolute first and last values. Everything is read from the run
// directories (metrics.jsonl, probe.json), so the curves can be redrawn from existing runs; a
// method without a run is left out.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "experiments/config.h"
#include "experiments/line_chart.h"

namespace dl::experiments {

struct RunCurves {
  Method method = Method::AE;
  std::vector<double> epochs;       // 1, 2, ...
  std::vector<double> val_acc_pct;  // online probe, validation split, after each epoch
  std::vector<double> loss;         // the method's own training loss, mean over the epoch's steps
  double posthoc_test_acc_pct = std::numeric_limits<double>::quiet_NaN();  // NaN: no probe.json
  double posthoc_epoch = 0;                                                // the checkpoint it probed
};

// How far (points) a method's post-hoc diamond is drawn right of its epoch: AE -9, VAE -3,
// SimCLR +3, supervised +9, so that close accuracies do not hide each other's diamond.
double posthoc_marker_offset_pt(Method m);

// The metrics.jsonl key of a method's own loss: "train_ae", "train_vae", "train_simclr",
// "train_cls" (supervised: the classifier is the method).
std::string loss_key(Method m);

// Reads <run_dir>/metrics.jsonl and, when present, <run_dir>/probe.json. A missing
// metrics.jsonl gives no epochs; a malformed line is an error naming the file and the line.
RunCurves read_run_curves(const std::string& run_dir, Method method);

// The figure of one dataset ("mnist" or "cifar10") from the runs that exist (any order, at most
// one per method; drawn in the paper's column order).
figures::LineChart curves_chart(const std::string& dataset, const std::vector<RunCurves>& runs);

// For every dataset among doc["runs"] (table1.json), reads each run's curves from
// runs[i].train.run_dir and writes <results_dir>/curves_<dataset>.{png,svg}. Returns the stems.
std::vector<std::string> write_training_curves(const nlohmann::json& doc, const std::string& results_dir);

// For table1.md: each figure (by stem) as a Markdown image with a one-line caption.
std::string curves_markdown(const std::vector<std::string>& stems);

}  // namespace dl::experiments
