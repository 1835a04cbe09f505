// tsne - the paper's Figures 1/2: t-SNE of each method's representation of the validation images.
//
//   tsne --dataset cifar10 --ae ae.safetensors --vae vae.safetensors --simclr simclr.safetensors
//        --supervised sup.safetensors --out results/fig_cifar10
//
// Each input holds `features` (N, D) f32 and `labels` (N) i32 (what the training pipeline writes
// for the 1000 validation images). Writes <out>.png, <out>.svg and <out>_coords.safetensors
// (per method: `<method>` (N, 2) f32 coordinates and `<method>_labels` (N) i32; metadata: KL,
// trustworthiness, iterations, t-SNE settings and the input paths). A method without an input is
// drawn as a "not run" panel. --synthetic N replaces the inputs by clustered Gaussian features
// (a smoke test of the whole pipeline without trained models).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "experiments/cli_errors.h"
#include "experiments/figures.h"
#include "experiments/strict_option.h"
#include "experiments/tsne.h"
#include "tensor/error.h"
#include "tensor/generator.h"
#include "tensor/safetensors.h"

namespace {

struct Input {
  std::vector<float> features;  // (N, D)
  std::vector<int32_t> labels;  // (N)
  int64_t n = 0, d = 0;
};

Input load(const std::string& path) {
  const dl::NamedTensors f = dl::read_safetensors(path);
  const dl::Tensor& x = f.at("features");
  const dl::Tensor& y = f.at("labels");
  DL_CHECK(x.dtype() == dl::DType::F32 && x.ndim() == 2, path, ": `features` must be (N, D) f32, got ",
           x.shape().str(), " ", dl::dtype_name(x.dtype()));
  DL_CHECK(y.dtype() == dl::DType::I32 && y.ndim() == 1 && y.size(0) == x.size(0), path,
           ": `labels` must be (N) i32 with N = ", x.size(0), ", got ", y.shape().str(), " ", dl::dtype_name(y.dtype()));
  return {x.to_vector(), y.to_vector_i32(), x.size(0), x.size(1)};
}

// Within-cluster std per method for --synthetic (centres are N(0, I) in 64-d): overlapping
// clusters for AE/VAE, tight ones for SimCLR/Supervised, roughly the paper's CIFAR10 picture.
constexpr double kSyntheticSpread[4] = {1.5, 1.7, 0.8, 0.6};

// 10 Gaussian clusters in 64-d; `spread` is the within-cluster std relative to the centres'.
Input synthetic(int64_t n, double spread, uint64_t seed) {
  const int64_t d = 64;
  dl::Generator gen(seed);
  std::vector<float> centres(10 * d);
  for (float& c : centres) c = gen.normal();
  Input in{std::vector<float>(size_t(n * d)), std::vector<int32_t>(size_t(n)), n, d};
  for (int64_t i = 0; i < n; i++) {
    const int32_t c = int32_t(gen.randint(0, 10));
    in.labels[i] = c;
    for (int64_t k = 0; k < d; k++) in.features[i * d + k] = centres[c * d + k] + float(spread) * gen.normal();
  }
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"t-SNE figure of the learned representations (the paper's Figures 1 and 2)"};
  std::string dataset = "cifar10", out, title;
  std::map<std::string, std::string> inputs;  // method key -> path
  const std::vector<std::pair<std::string, std::string>> methods = {
      {"ae", "AE"}, {"vae", "VAE"}, {"simclr", "SimCLR"}, {"supervised", "Supervised"}};
  app.add_option("--dataset", dataset, "mnist or cifar10 (class names of the legend)")
      ->check(CLI::IsMember({"mnist", "cifar10"}));
  for (const auto& [key, name] : methods)
    app.add_option("--" + key, inputs[key], name + " features: safetensors with features (N, D) f32, labels (N) i32")
        ->check(CLI::ExistingFile);
  app.add_option("--out", out, "output stem: writes <out>.png, <out>.svg, <out>_coords.safetensors")->required();
  app.add_option("--title", title, "figure title (default: 't-SNE of the learned representations, <dataset>')");
  dl::tsne::Options opt;
  std::string method = "auto";
  int64_t synthetic_n = 0;
  using dl::experiments::add_number;
  add_number(app, "--perplexity", opt.perplexity, "t-SNE perplexity")->capture_default_str();
  add_number(app, "--iters", opt.n_iter, "t-SNE iterations in total")->capture_default_str();
  add_number(app, "--seed", opt.seed, "seed (the PCA initialization's subspace iteration)")->capture_default_str();
  app.add_option("--method", method, "exact, barnes_hut, or auto (exact up to 2000 points)")
      ->check(CLI::IsMember({"auto", "exact", "barnes_hut"}))
      ->capture_default_str();
  app.add_flag("--verbose", opt.verbose, "print the KL every 50 iterations");
  add_number(app, "--synthetic", synthetic_n, "ignore the inputs; use N synthetic clustered points per method");
  CLI11_PARSE(app, argc, argv);
  opt.method = method == "exact" ? dl::tsne::Method::Exact
               : method == "barnes_hut" ? dl::tsne::Method::BarnesHut : dl::tsne::Method::Auto;

  try {
    if (title.empty()) title = std::string("t-SNE of the learned representations, ") + (dataset == "mnist" ? "MNIST" : "CIFAR10");
    const std::filesystem::path parent = std::filesystem::path(out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);

    dl::figures::Figure fig;
    fig.title = title;
    fig.class_names = dl::figures::class_names(dataset);
    std::vector<std::pair<std::string, dl::Tensor>> coords;
    std::map<std::string, std::string> meta = {{"dataset", dataset},
                                               {"perplexity", std::to_string(opt.perplexity)},
                                               {"iterations", std::to_string(opt.n_iter)},
                                               {"seed", std::to_string(opt.seed)}};
    for (size_t m = 0; m < methods.size(); m++) {
      const auto& [key, name] = methods[m];
      dl::figures::Panel panel;
      panel.title = name;
      if (synthetic_n <= 0 && inputs[key].empty()) {
        std::printf("%-10s not run (no --%s)\n", name.c_str(), key.c_str());
        fig.panels.push_back(panel);
        continue;
      }
      const Input in = synthetic_n > 0 ? synthetic(synthetic_n, kSyntheticSpread[m], 100 + m) : load(inputs[key]);
      for (int32_t c : in.labels)
        DL_CHECK(c >= 0 && c < int32_t(fig.class_names.size()), key, " input: label ", c, " outside [0, ",
                 fig.class_names.size(), ") for ", dataset);
      const auto t0 = std::chrono::steady_clock::now();
      const dl::tsne::Result r = dl::tsne::run(in.features.data(), in.n, in.d, opt);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      panel.xy.assign(r.embedding.begin(), r.embedding.end());
      panel.labels = in.labels;
      const double trust = in.n > 20 ? dl::tsne::trustworthiness(in.features.data(), in.n, in.d, panel.xy.data(), 2, 5)
                                     : std::nan("");
      std::printf("%-10s N=%lld D=%lld %s: KL %.4f, trustworthiness(k=5) %.4f, %d iterations, %.1f s\n", name.c_str(),
                  (long long)in.n, (long long)in.d, dl::tsne::method_name(r.method), r.kl, trust, r.iterations, secs);
      coords.push_back({key, dl::from_vector(panel.xy, {in.n, 2})});
      coords.push_back({key + "_labels", dl::from_vector_i32(in.labels, {in.n})});
      meta[key + "_source"] = synthetic_n > 0 ? "synthetic" : inputs[key];
      meta[key + "_kl"] = std::to_string(r.kl);
      meta[key + "_trustworthiness_k5"] = std::to_string(trust);
      meta[key + "_method"] = dl::tsne::method_name(r.method);
      fig.panels.push_back(std::move(panel));
    }
    dl::figures::write_scatter_grid(fig, out);
    dl::write_safetensors(out + "_coords.safetensors", coords, meta);
    std::printf("wrote %s.png, %s.svg, %s_coords.safetensors\n", out.c_str(), out.c_str(), out.c_str());
  } catch (const std::exception& e) {
    return dl::experiments::report_error("tsne", e);
  }
  return 0;
}
