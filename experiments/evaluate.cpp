// evaluate.cpp - see evaluate.h.
#include "experiments/evaluate.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "data/loader.h"
#include "experiments/image_grid.h"
#include "experiments/run_data.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

namespace dl::experiments {
namespace {

// Eval mode for a scope; restores the previous mode.
class EvalScope {
 public:
  explicit EvalScope(nn::Module& m) : m_(m), was_training_(m.is_training()) { m_.eval(); }
  ~EvalScope() { m_.train(was_training_); }

 private:
  nn::Module& m_;
  bool was_training_;
  NoGradGuard no_grad_;
};

int64_t limited(const data::Dataset& d, int64_t limit) { return limit > 0 ? std::min(limit, d.size()) : d.size(); }

}  // namespace

int64_t count_correct(const Tensor& logits, const Tensor& labels) {
  DL_CHECK(logits.ndim() == 2 && labels.ndim() == 1 && labels.size(0) == logits.size(0),
           "count_correct: logits ", logits.shape().str(), " and labels ", labels.shape().str(), " disagree");
  const std::vector<float> l = logits.to_vector();
  const std::vector<int32_t> y = labels.to_vector_i32();
  const int64_t N = logits.size(0), K = logits.size(1);
  int64_t correct = 0;
  for (int64_t i = 0; i < N; ++i) {
    const float* row = l.data() + i * K;
    correct += (std::max_element(row, row + K) - row) == y[i];  // first maximum, as torch.argmax
  }
  return correct;
}

Accuracy probe_accuracy(Image2Vec& model, const data::Dataset& d, int64_t limit, int64_t batch) {
  EvalScope scope(model);
  const Device dev = model.device();
  Accuracy acc;
  const int64_t n = limited(d, limit);
  for (int64_t b = 0; b < n; b += batch) {
    const data::Batch x = data::clean_batch(d, b, std::min(n, b + batch));
    const Tensor logits = model.cls_mlp->forward(model.encoder->forward(x.clean.to(dev)));
    acc.correct += count_correct(logits, x.labels);
    acc.total += x.size();
  }
  return acc;
}

Tensor extract_features(nn::Module& encoder, const data::Dataset& d, int64_t limit, int64_t batch) {
  EvalScope scope(encoder);
  const Device dev = encoder.device();
  const int64_t n = limited(d, limit);
  std::vector<Tensor> parts;
  for (int64_t b = 0; b < n; b += batch) {
    const data::Batch x = data::clean_batch(d, b, std::min(n, b + batch));
    parts.push_back(encoder.forward(x.clean.to(dev)).to(Device::CPU));
  }
  return concat_rows(parts);
}

void write_reconstructions(Image2Vec& model, const data::Dataset& d, int64_t n, const std::string& path) {
  DL_CHECK(model.decoder != nullptr, "write_reconstructions: method ", method_key(model.method), " has no decoder");
  EvalScope scope(model);
  n = std::min(n, d.size());
  const data::Batch x = data::clean_batch(d, 0, n);
  Tensor code = model.head->forward(model.encoder->forward(x.clean.to(model.device())));
  if (model.method == Method::VAE) code = narrow_cols(code, 0, code.size(1) / 2);  // the mean
  const Tensor recon = model.decoder->forward(code).to(Device::CPU);
  const Tensor grid = concat_rows({x.clean, recon});  // inputs above, outputs below
  const Normalization norm = input_normalization(d.kind);
  ImageGridOptions opt;
  opt.scale = 3;
  opt.mean = norm.mean;
  opt.std = norm.std;
  write_image_grid(path, grid, 2, static_cast<int>(n), opt);
}

void write_features(Image2Vec& model, const data::Dataset& d, const std::string& path) {
  const Tensor f = extract_features(*model.encoder, d);
  const Tensor y = from_vector_i32(d.labels, {d.size()});
  write_safetensors(path, {{"features", f}, {"labels", y}},
                    {{"dataset", d.name}, {"method", method_key(model.method)}});
}

}  // namespace dl::experiments
