// probe - the standard protocol on a trained encoder (experiments/probe.h): freeze it, extract the
// representations of the training images and the official test set once, train a fresh two-layer
// MLP (BN eps 1e-5, Adam) on them and report the test accuracy.
//
//   probe runs/cifar10_simclr/checkpoint.safetensors [--epochs 20] [--lr 3e-4] [--out probe.json]
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/cli_errors.h"
#include "experiments/probe.h"
#include "experiments/strict_option.h"

int main(int argc, char** argv) {
  using namespace dl::experiments;
  CLI::App app{"Post-hoc MLP probe on a frozen encoder (the standard protocol)"};
  std::string checkpoint, out;
  ProbeOptions o;
  app.add_option("checkpoint", checkpoint, "checkpoint.safetensors written by train")->required()->check(CLI::ExistingFile);
  add_number(app, "--epochs", o.epochs, "probe training epochs")->capture_default_str();
  add_number(app, "--lr", o.lr, "Adam learning rate")->capture_default_str();
  add_number(app, "--bn-eps", o.bn_eps, "the probe's BatchNorm eps")->capture_default_str();
  add_number(app, "--batch-size", o.batch_size, "batch size")->capture_default_str();
  add_number(app, "--seed", o.seed, "seed of the probe's initialization and shuffling")->capture_default_str();
  add_number(app, "--train-limit", o.train_limit,
                 "training images: -1 = as the encoder was trained, 0 = the whole train split, N = the first N")
      ->capture_default_str();
  add_number(app, "--test-limit", o.test_limit, "test on the first N official test images (0 = all)")->capture_default_str();
  app.add_option("--device", o.device, "auto, cpu or cuda")->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "data root (default: the training run's, then the search)");
  app.add_option("--out", out, "also write the result as JSON here");
  bool quiet = false;
  app.add_flag("--quiet", quiet, "no per-epoch lines");
  CLI11_PARSE(app, argc, argv);
  o.progress = !quiet;
  try {
    const ProbeResult r = posthoc_probe(checkpoint, o);
    const std::string text = to_json(r).dump(2);
    std::printf("%s\n", text.c_str());
    std::fprintf(stderr, "probe: test accuracy %.2f%% (%lld test images, %lld training features of dim %lld)\n",
                 100 * r.test_acc, (long long)r.test_images, (long long)r.train_images, (long long)r.feature_dim);
    if (!out.empty()) {
      std::ofstream f(out);
      f << text << "\n";
      if (!f.good()) throw std::runtime_error("cannot write " + out);
    }
  } catch (const std::exception& e) {
    return report_error("probe", e);
  }
  return 0;
}
