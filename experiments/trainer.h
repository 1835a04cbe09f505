// trainer.h - one training run of the reference's protocol (docs/protocol.md sections 3 and 4): one method on
// one dataset, one Adam over every parameter (encoder, heads, decoder and the online probe), and
// after each epoch the online probe's accuracy on the 1000-image validation split (the paper's
// number) and on the official test set.
//
// The run directory (<out_dir>/<dataset>_<method>/) holds:
//   config.json                the RunConfig (every setting, as run)
//   metrics.jsonl              one JSON object per epoch: mean losses, accuracies, timings
//   checkpoint.safetensors     after every epoch and every TrainOptions::checkpoint_minutes inside
//                              one (atomic): model, Adam state, RNG, epoch, batch, config
//   .lock                      flock held while a process writes the directory (run_lock.h)
//   recon.png                  AE/VAE: validation images above, reconstructions below
//   features_val.safetensors   at the end: `features` (1000, 8w) f32 and `labels` (1000) i32
//   result.json                at the end: the summary (TrainResult); its presence = finished
// With `resume`, a run continues from its checkpoint (a finished run is reused as is); without,
// it starts over; a checkpoint written inside an epoch resumes at its next batch, bit-identical to
// an uninterrupted run (epoch_progress.h). SIGINT/SIGTERM finish the current step, write the
// checkpoint and throw Interrupted (interrupt.h). A non-finite loss stops the run
// (TrainingDiverged): on the CPU before the optimizer step, on CUDA at the next read of the loss
// (loss_sums.h), always before a checkpoint, so the last checkpoint is the last good state.
// A second process asking for the same run directory fails at once (run_lock.h).
#pragma once
#include <cmath>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "experiments/config.h"
#include "experiments/losses.h"
#include "nn/optimizer.h"
#include "tensor/error.h"

namespace dl::experiments {

struct TrainOptions {
  bool resume = false;
  bool progress = true;            // the progress line on stderr
  double progress_interval_s = 30; // when stderr is not a terminal
  int64_t stop_after_epochs = -1;  // testing: return after this many epochs of this session
  double checkpoint_minutes = 10;  // also checkpoint inside an epoch this often (0: after every step)
  std::function<void(int64_t steps)> after_step;  // testing: called after each optimizer step
  std::string debug_dump_dir;  // debug: initial weights, every batch and loss for the PyTorch twin (debug_dump.h)
};

struct TrainResult {
  RunConfig config;
  std::string run_dir, device;
  bool finished = false;       // all cfg.epochs done
  bool reused = false;         // nothing trained in this call: the finished run was found
  int64_t epochs_done = 0, steps = 0;
  double wall_seconds = 0;     // training + per-epoch evaluation, summed over sessions
  double train_seconds = 0;    // the training steps alone, summed over sessions
  double val_acc = 0;          // online probe, last epoch, 1000-image validation split
  double best_val_acc = 0;
  int64_t best_epoch = 0;
  double test_acc = 0;         // online probe, last epoch, official test set (first test_limit images)
  double seconds_per_step = 0; // last epoch, training steps only
  double images_per_second = 0;
};

struct TrainingDiverged : Error {
  using Error::Error;
};

TrainResult train(const RunConfig& cfg, const TrainOptions& opt = {});

// One training step, as train() runs it on every batch (docs/one_step.md follows one through
// the tape): forward() computes the loss, and each differentiable op on the way records a node
// on the tape; with read_total, a non-finite total stops there, before anything changes (the
// caller reports it); else zero_grad, backward through the tape (every parameter's .grad), and
// the optimizer's update. train() passes training_loss on the batch, and read_total only on the
// CPU: on CUDA reading the total would wait for the GPU every step (loss_sums.h says where the
// loop reads it instead); experiments/bin/one_step.cpp passes a tiny AE.
struct StepResult {
  StepLoss loss;         // the forward's tensors: the total and its parts
  double total = NAN;    // loss.total as a number (NaN when not read)
  bool updated = false;  // false: the total was not finite and nothing was updated
};
StepResult train_step(nn::Optimizer& optimizer, const std::function<StepLoss()>& forward, bool read_total = true);

nlohmann::json to_json(const TrainResult& r);
TrainResult train_result_from_json(const nlohmann::json& j);

// "cpu (2 threads, <model name>)" or "cuda"
std::string describe_device(Device d);

// Paths inside a run directory.
std::string checkpoint_path(const std::string& run_dir);
std::string features_path(const std::string& run_dir);
std::string recon_path(const std::string& run_dir);
std::string metrics_path(const std::string& run_dir);
std::string result_path(const std::string& run_dir);

}  // namespace dl::experiments
