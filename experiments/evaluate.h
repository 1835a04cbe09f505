// evaluate.h - evaluation in eval mode (BN running statistics) without recording history: the
// online probe's accuracy (the paper's number, on the 1000-image validation split; we also report
// the official test set), 512-d (8 * width) features for t-SNE and the post-hoc probe, and the
// AE/VAE reconstruction grid. Each function puts the model in eval mode and restores the mode it
// found.
#pragma once
#include <string>

#include "data/dataset.h"
#include "experiments/model.h"

namespace dl::experiments {

struct Accuracy {
  int64_t correct = 0, total = 0;
  double value() const { return total ? double(correct) / double(total) : 0.0; }
};

// Top-1 accuracy of cls_mlp(encoder(x)) on the first `limit` images of d (0 = all).
Accuracy probe_accuracy(Image2Vec& model, const data::Dataset& d, int64_t limit = 0, int64_t batch = 256);

// Number of rows of argmax(logits) equal to labels; logits (N, K) and labels (N) on any device.
int64_t count_correct(const Tensor& logits, const Tensor& labels);

// encoder(x) of the first `limit` images (0 = all) in order: (N, F) on the CPU.
Tensor extract_features(nn::Module& encoder, const data::Dataset& d, int64_t limit = 0, int64_t batch = 256);

// AE/VAE: the first n validation images (top row) and their reconstructions (bottom row):
// AE decoder(ae_mlp(h)), VAE decoder(mean) (the deterministic reconstruction). Writes a PNG.
void write_reconstructions(Image2Vec& model, const data::Dataset& d, int64_t n, const std::string& path);

// Saves the safetensors {features (N, F) f32, labels (N) i32} the t-SNE figure reads.
void write_features(Image2Vec& model, const data::Dataset& d, const std::string& path);

}  // namespace dl::experiments
