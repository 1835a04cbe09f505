// debug_dump.h - debug only: `train --debug-dump DIR` writes what a PyTorch twin of the training
// loop needs to replay our run exactly (tests/golden/twin_run.py, docs/experiments.md "The
// PyTorch twin"):
//   DIR/init.safetensors        every parameter and buffer before the first step, under the
//                               model's names ("encoder.layer1.0.bn1.running_var", "cls_mlp.fc1.weight");
//                               metadata "config" = the RunConfig as JSON
//   DIR/val.safetensors         `images` (1000, 3, 32, 32) f32 and `labels` (1000) i32: the
//                               validation split as the end-of-epoch evaluation sees it
//   DIR/step_NNNNN.safetensors  per optimizer step: `clean`, `view1`, `view2` (B, 3, 32, 32),
//                               `labels` (B) i32, `noise` (B, latent) the VAE's eps, and our losses
//                               `ours.loss`, `ours.<part>` (1), every buffer after the step (the BN
//                               running statistics) as `after.<name>`; metadata "epoch", "batch", "step"
// The noise is drawn from a copy of the run's noise generator, so it is the eps the step uses.
// Nothing here changes the run; it only costs disk (about 40 KB per image per step).
#pragma once
#include <string>

#include "data/dataset.h"
#include "data/loader.h"
#include "experiments/losses.h"
#include "experiments/model.h"

namespace dl::experiments {

class DebugDump {
 public:
  explicit DebugDump(std::string dir);  // "" disables every call below
  bool enabled() const { return !dir_.empty(); }

  // Before the first step (a resumed run would start from a checkpoint, not from these).
  void write_start(const Image2Vec& model, const RunConfig& cfg, const data::Dataset& val) const;
  // The VAE's eps for a batch of `batch` images, exactly as training_loss will draw it next from
  // `gen` (undefined for the other methods or when disabled).
  Tensor peek_noise(const Image2Vec& model, const RunConfig& cfg, const Generator& gen, int64_t batch) const;
  // After the step: the batch, the noise and the losses the step computed, the model's buffers.
  void write_step(int64_t step, const data::Batch& b, const Tensor& noise, const StepLoss& loss,
                  const Image2Vec& model) const;

 private:
  std::string dir_;
};

}  // namespace dl::experiments
