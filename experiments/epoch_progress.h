// epoch_progress.h - how far into an epoch a checkpoint was written. A checkpoint inside an
// epoch (every --checkpoint-minutes, or at SIGINT/SIGTERM) records the batches of the epoch
// already trained and the epoch's running sums, so that --resume continues with the next batch
// and the epoch's metrics line is the one an uninterrupted run writes. The loader's order and
// augmentations depend only on (seed, epoch, sample), the VAE noise generator is in the
// checkpoint, so the resumed batches and steps are bit-identical.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace dl::experiments {

struct EpochProgress {
  int64_t batches = 0;            // batches of the epoch consumed; training resumes at this index
  int64_t nbatches = 0;           // of those, trained (a batch of 1 is skipped)
  int64_t nimages = 0;            // images trained
  double train_seconds = 0;       // time spent in the epoch's training steps so far
  std::map<std::string, double> sums;  // loss name -> sum over the trained batches
};

// Adds "epoch_progress" (JSON) to a checkpoint's extra values; nothing for a finished epoch.
void put_epoch_progress(const EpochProgress& p, std::map<std::string, std::string>& extra);

// The progress recorded in a checkpoint's extra values; batches == 0 when written at an epoch's end.
EpochProgress get_epoch_progress(const std::map<std::string, std::string>& extra);

}  // namespace dl::experiments
