// loss_sums.h - an epoch's running loss sums (the metrics line's train_<name> means, the progress
// line, a mid-epoch checkpoint's progress), and when the training loop reads the loss on the host.
//
//   CPU:  reading is free. train_step reads every step's total and stops before the update when it
//         is not finite; add() adds the total and every part as host doubles.
//   CUDA: a read waits until the GPU has run everything queued, so the loop reads nothing per
//         step. add() sums the step's loss tensors on the device (one-element kernels, no wait);
//         read() copies those sums and the last step's total to the host in one copy, the loop's
//         one synchronization, and train() calls it only when the progress line is drawn, before
//         every checkpoint and at the end of the epoch. A step with a non-finite total makes the
//         sum of the steps since the last read non-finite, and read() then returns false: train()
//         stops the run there, before the checkpoint, so no checkpoint holds a state past a
//         non-finite loss. Unlike the CPU, the steps from the bad one up to the read were applied.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "experiments/losses.h"

namespace dl::experiments {

class LossSums {
 public:
  // `sums`: what the epoch has summed already (a resumed epoch's checkpoint), keyed "loss" (the
  // total) and the part names.
  LossSums(Device device, std::map<std::string, double> sums);
  // After an update. `total` is the host value train_step read (the CPU); unused on CUDA.
  void add(const StepLoss& loss, double total);
  // Brings sums() and last_total() up to date (on CUDA: one copy, one synchronization; nothing
  // when no step is unread). False when a step since the previous read had a non-finite total.
  bool read();

  const std::map<std::string, double>& sums() const { return sums_; }  // as of the last read
  double last_total() const { return last_total_; }                    // the last step read
  int64_t unread_steps() const { return unread_; }
  // The sums over the steps of the last read, "loss nan, ae 0.0123": the divergence message.
  std::string last_read_text() const;

 private:
  Device device_;
  std::map<std::string, double> sums_;
  double last_total_ = 0;
  int64_t unread_ = 0;
  std::map<std::string, Tensor> pending_;  // CUDA: device sums (shape ()) since the last read
  Tensor pending_last_total_;              // CUDA: the last step's total
  std::map<std::string, double> last_read_;
};

}  // namespace dl::experiments
