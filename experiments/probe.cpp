// probe.cpp - see probe.h.
#include "experiments/probe.h"

#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "autograd/grad_mode.h"
#include "experiments/evaluate.h"
#include "experiments/model.h"
#include "experiments/run_data.h"
#include "nn/adam.h"
#include "nn/checkpoint.h"
#include "nn/mlp.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

namespace dl::experiments {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Rows `idx` of a CPU (N, F) tensor -> (B, F) on `dev`.
Tensor gather_rows(const Tensor& x, const std::vector<int32_t>& idx, size_t begin, size_t end, Device dev) {
  const int64_t F = x.size(1);
  Tensor out = Tensor::empty({int64_t(end - begin), F});
  for (size_t i = begin; i < end; ++i) std::memcpy(out.data() + (i - begin) * F, x.data() + idx[i] * F, sizeof(float) * F);
  return out.to(dev);
}

Tensor gather_labels(const std::vector<int32_t>& y, const std::vector<int32_t>& idx, size_t begin, size_t end,
                     Device dev) {
  std::vector<int32_t> v;
  for (size_t i = begin; i < end; ++i) v.push_back(y[idx[i]]);
  return from_vector_i32(v, {int64_t(v.size())}).to(dev);
}

// Accuracy of the probe on precomputed features, in eval mode.
double accuracy(nn::MLP& mlp, const Tensor& feats, const std::vector<int32_t>& labels, Device dev) {
  NoGradGuard no_grad;
  const bool was = mlp.is_training();
  mlp.eval();
  std::vector<int32_t> all(labels.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = int32_t(i);
  int64_t correct = 0;
  for (size_t b = 0; b < all.size(); b += 1024) {
    const size_t e = std::min(all.size(), b + 1024);
    correct += count_correct(mlp.forward(gather_rows(feats, all, b, e, dev)), gather_labels(labels, all, b, e, dev));
  }
  mlp.train(was);
  return labels.empty() ? 0.0 : double(correct) / double(labels.size());
}

}  // namespace

ProbeOptions probe_options(const RunConfig& cfg) {
  ProbeOptions o;
  o.epochs = cfg.probe_epochs;
  o.train_limit = cfg.probe_train_limit;
  o.lr = cfg.probe_lr;
  o.bn_eps = cfg.probe_bn_eps;
  o.seed = cfg.seed;
  o.test_limit = cfg.test_limit;
  o.device = cfg.device;
  o.data_dir = cfg.data_dir;
  return o;
}

RunConfig checkpoint_config(const std::string& checkpoint) {
  const NamedTensors f = read_safetensors(checkpoint);
  const auto it = f.metadata.find("extra.config");
  DL_CHECK(it != f.metadata.end(), checkpoint, ": no training config in the metadata (not written by `train`?)");
  return config_from_json(nlohmann::json::parse(it->second));
}

ProbeResult posthoc_probe(const std::string& checkpoint, const ProbeOptions& opt) {
  DL_CHECK(opt.batch_size >= 2, "probe: batch size must be >= 2, got ", opt.batch_size);
  ProbeResult r;
  r.checkpoint = checkpoint;
  r.options = opt;
  r.train_config = checkpoint_config(checkpoint);
  RunConfig cfg = r.train_config;
  if (!opt.data_dir.empty()) cfg.data_dir = opt.data_dir;
  if (opt.train_limit >= 0) cfg.train_limit = opt.train_limit;
  const Device dev = resolve_device(opt.device);

  // The frozen encoder (the whole model is loaded; only the encoder is used).
  Generator gen(opt.seed + 2);
  Image2Vec model(cfg, gen);
  model.to(dev);
  nn::load_checkpoint(checkpoint, model, nullptr);

  const auto t0 = std::chrono::steady_clock::now();
  const RunData data = load_run_data(cfg);
  const Tensor ftrain = extract_features(*model.encoder, *data.train);
  const Tensor ftest = extract_features(*model.encoder, *data.test, opt.test_limit);
  const std::vector<int32_t> test_labels(data.test->labels.begin(), data.test->labels.begin() + ftest.size(0));
  r.extract_seconds = seconds_since(t0);
  r.train_images = ftrain.size(0), r.test_images = ftest.size(0), r.feature_dim = ftrain.size(1);

  nn::MLP mlp(r.feature_dim, cfg.hidden_dim, 10, static_cast<float>(opt.bn_eps), gen);
  mlp.to(dev);
  nn::AdamOptions ao;
  ao.lr = static_cast<float>(opt.lr);
  nn::Adam adam(mlp.named_parameters(), ao);

  const auto t1 = std::chrono::steady_clock::now();
  std::vector<int32_t> order(size_t(r.train_images));
  for (size_t i = 0; i < order.size(); ++i) order[i] = int32_t(i);
  Generator shuffle(opt.seed + 3);
  for (int64_t epoch = 0; epoch < opt.epochs; ++epoch) {
    mlp.train();
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle.randint(0, int64_t(i))]);
    for (size_t b = 0; b < order.size(); b += size_t(opt.batch_size)) {
      const size_t e = std::min(order.size(), b + size_t(opt.batch_size));
      if (e - b < 2) continue;  // batch norm needs 2 samples
      const Tensor loss = cross_entropy(mlp.forward(gather_rows(ftrain, order, b, e, dev)),
                                        gather_labels(data.train->labels, order, b, e, dev));
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
    r.test_acc_per_epoch.push_back(accuracy(mlp, ftest, test_labels, dev));
    if (opt.progress)
      std::fprintf(stderr, "probe %s: epoch %lld/%lld test acc %.2f%%\n", cfg.run_name().c_str(),
                   (long long)epoch + 1, (long long)opt.epochs, 100 * r.test_acc_per_epoch.back());
  }
  r.test_acc = r.test_acc_per_epoch.empty() ? accuracy(mlp, ftest, test_labels, dev) : r.test_acc_per_epoch.back();
  r.train_acc = accuracy(mlp, ftrain, data.train->labels, dev);
  r.train_seconds = seconds_since(t1);
  return r;
}

nlohmann::json to_json(const ProbeResult& r) {
  return {{"checkpoint", r.checkpoint},
          {"train_config", to_json(r.train_config)},
          {"probe", {{"epochs", r.options.epochs},
                     {"lr", r.options.lr},
                     {"bn_eps", r.options.bn_eps},
                     {"batch_size", r.options.batch_size},
                     {"seed", r.options.seed},
                     {"train_limit", r.options.train_limit},
                     {"test_limit", r.options.test_limit}}},
          {"train_images", r.train_images},
          {"test_images", r.test_images},
          {"feature_dim", r.feature_dim},
          {"test_acc", r.test_acc},
          {"train_acc", r.train_acc},
          {"test_acc_per_epoch", r.test_acc_per_epoch},
          {"extract_seconds", r.extract_seconds},
          {"train_seconds", r.train_seconds}};
}

}  // namespace dl::experiments
