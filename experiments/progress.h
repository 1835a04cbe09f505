// progress.h - a progress line on stderr for a training epoch: epoch, batch, loss, images/s and
// the ETA of the epoch and of the run. On a terminal it redraws one line (\r); otherwise (logs,
// tests) it prints a plain line at most every `plain_interval_s` seconds and at the end.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace dl::experiments {

class Progress {
 public:
  // total_epochs/epoch (1-based) and batches_per_epoch size the ETAs; `label` starts the line.
  Progress(std::string label, int64_t epoch, int64_t total_epochs, int64_t batches_per_epoch, bool enabled = true,
           double plain_interval_s = 30.0, std::FILE* out = stderr);
  // After each batch: its size and loss (and the optional extra text, e.g. "cls 0.31").
  void update(int64_t batch_index, int64_t batch_images, double loss, const std::string& extra = "");
  // The same, but the loss is asked for only when the line is drawn (on CUDA a read of the loss
  // waits for the GPU: experiments/loss_sums.h).
  void update(int64_t batch_index, int64_t batch_images, const std::function<double()>& read_loss,
              const std::string& extra = "");
  void finish(const std::string& summary);  // ends the line with the epoch's summary
  double images_per_second() const;
  double elapsed_seconds() const;

 private:
  void draw(bool final_line, const std::string& text);
  std::string label_;
  int64_t epoch_, total_epochs_, batches_;
  bool enabled_, tty_;
  double interval_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_, last_print_;
  int64_t images_ = 0, done_ = 0;
};

// "1h02m", "3m05s", "12s"
std::string format_duration(double seconds);

}  // namespace dl::experiments
