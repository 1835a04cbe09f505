// table1.cpp - see table1.h.
#include "experiments/table1.h"
#include "experiments/table1_jobs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "experiments/config_cli.h"
#include "experiments/curves.h"
#include "experiments/figures.h"
#include "experiments/probe.h"
#include "experiments/progress.h"
#include "experiments/text_file.h"
#include "experiments/trainer.h"
#include "experiments/tsne.h"
#include "tensor/safetensors.h"

namespace fs = std::filesystem;

namespace dl::experiments {
namespace {

std::string pct(double v, int decimals = 1) {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string now_utc() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

const nlohmann::json* find_run(const nlohmann::json& doc, const std::string& dataset, const std::string& method) {
  for (const nlohmann::json& r : doc.at("runs"))
    if (r.at("dataset") == dataset && r.at("method") == method) return &r;
  return nullptr;
}

// The probe's settings as stored in probe.json, to decide whether a saved probe can be reused.
nlohmann::json probe_key(const ProbeOptions& o) {
  return {{"epochs", o.epochs}, {"lr", o.lr},     {"bn_eps", o.bn_eps},           {"batch_size", o.batch_size},
          {"seed", o.seed},     {"train_limit", o.train_limit}, {"test_limit", o.test_limit}};
}

}  // namespace

double paper_accuracy(const std::string& dataset, const std::string& method) {
  static const std::map<std::string, std::map<std::string, double>> t = {
      {"mnist", {{"ae", 98.3}, {"vae", 97.8}, {"simclr", 98.5}, {"supervised", 99.5}}},
      {"cifar10", {{"ae", 55.6}, {"vae", 54.5}, {"simclr", 81.9}, {"supervised", 83.2}}}};
  const auto d = t.find(dataset);
  if (d == t.end()) return std::nan("");
  const auto m = d->second.find(method);
  return m == d->second.end() ? std::nan("") : m->second;
}

RunConfig table1_config(const Table1Options& opt, const std::string& dataset, const std::string& method) {
  RunConfig c = preset(opt.preset);
  c.out_dir = (fs::path(opt.results_dir) / "runs").string();
  for (const auto& [k, v] : opt.overrides) set_field(c, k, v);
  c.method = method;
  c.dataset = dataset;
  c.validate();
  return c;
}

nlohmann::json run_table1(const Table1Options& opt) {
  fs::create_directories(opt.results_dir);
  for (const std::string& d : opt.datasets) (void)parse_dataset(d);
  for (const std::string& m : opt.methods) (void)parse_method(m);
  nlohmann::json doc = {{"preset", opt.preset},
                        {"overrides", opt.overrides},
                        {"started", now_utc()},
                        {"jobs", opt.jobs},
                        {"threads_per_job", opt.threads_per_job},
                        {"runs", nlohmann::json::array()}};
  const auto t0 = std::chrono::steady_clock::now();
  const std::set<std::string> trained_by_jobs = opt.jobs > 1 ? train_cells_in_jobs(opt) : std::set<std::string>{};
  auto save = [&] {
    doc["finished"] = now_utc();
    doc["table1_wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_text_atomic((fs::path(opt.results_dir) / "table1.json").string(), doc.dump(2) + "\n");
    write_text_atomic((fs::path(opt.results_dir) / "table1.md").string(), table1_markdown(doc));
  };
  // The paper's column order within each dataset.
  for (const std::string& dataset : opt.datasets) {
    for (Method method : all_methods()) {
      const std::string mk = method_key(method);
      if (std::find(opt.methods.begin(), opt.methods.end(), mk) == opt.methods.end()) continue;
      const RunConfig cfg = table1_config(opt, dataset, mk);
      TrainOptions to;
      to.resume = true;
      to.progress = opt.progress;
      to.progress_interval_s = opt.progress_interval_s;
      to.checkpoint_minutes = opt.checkpoint_minutes;
      const TrainResult tr = train(cfg, to);
      if (opt.progress)
        std::fprintf(stderr, "%s: %s, val acc %.1f%% (online probe), %s\n", cfg.run_name().c_str(),
                     tr.reused ? "reused" : "trained", 100 * tr.val_acc, format_duration(tr.wall_seconds).c_str());

      // The post-hoc probe, reused when probe.json was made with the same settings.
      const ProbeOptions po = probe_options(cfg);
      const std::string probe_file = (fs::path(tr.run_dir) / "probe.json").string();
      nlohmann::json probe;
      if (fs::exists(probe_file)) {
        std::ifstream in(probe_file);
        nlohmann::json saved = nlohmann::json::parse(in);
        if (saved.value("key", nlohmann::json()) == probe_key(po) &&
            saved.value("checkpoint_epochs", int64_t(-1)) == tr.epochs_done)
          probe = saved;
      }
      if (probe.is_null()) {
        ProbeOptions p = po;
        p.progress = opt.progress;
        probe = to_json(posthoc_probe(checkpoint_path(tr.run_dir), p));
        probe["key"] = probe_key(po);
        probe["checkpoint_epochs"] = tr.epochs_done;
        write_text_atomic(probe_file, probe.dump(2) + "\n");
      }
      nlohmann::json run = {{"dataset", dataset},
                            {"method", mk},
                            {"paper_acc", paper_accuracy(dataset, mk)},
                            {"faithful_val_acc", 100 * tr.val_acc},
                            {"online_test_acc", 100 * tr.test_acc},
                            {"standard_test_acc", 100 * probe.at("test_acc").get<double>()},
                            {"train", to_json(tr)},
                            {"probe", probe},
                            {"reused", tr.reused && !trained_by_jobs.count(cfg.run_name())}};
      doc["runs"].push_back(run);
      doc["curves"] = write_training_curves(doc, opt.results_dir);  // cheap: redrawn after every run
      save();  // after every run, so an interrupted table still shows what is done
    }
  }
  if (opt.figures) {
    const std::vector<std::string> figs = write_tsne_figures(doc, opt.results_dir, opt.tsne_iters, opt.progress);
    doc["figures"] = figs;
  }
  save();
  return doc;
}

std::vector<std::string> write_tsne_figures(const nlohmann::json& doc, const std::string& results_dir, int tsne_iters,
                                            bool progress) {
  std::vector<std::string> written;
  std::set<std::string> datasets;
  for (const nlohmann::json& r : doc.at("runs")) datasets.insert(r.at("dataset").get<std::string>());
  for (const std::string& dataset : datasets) {
    figures::Figure fig;
    fig.title = std::string("t-SNE of the learned representations, ") + (dataset == "mnist" ? "MNIST" : "CIFAR10");
    fig.class_names = figures::class_names(dataset);
    for (Method m : all_methods()) {
      figures::Panel panel;
      panel.title = method_title(m);
      const nlohmann::json* run = find_run(doc, dataset, method_key(m));
      if (run) {
        const std::string path = features_path(run->at("train").at("run_dir").get<std::string>());
        const NamedTensors f = read_safetensors(path);
        const Tensor& x = f.at("features");
        const Tensor& y = f.at("labels");
        tsne::Options to;
        to.n_iter = tsne_iters;
        const tsne::Result res = tsne::run(x.to_vector().data(), x.size(0), x.size(1), to);
        panel.xy.assign(res.embedding.begin(), res.embedding.end());
        panel.labels = y.to_vector_i32();
        char cap[64];
        std::snprintf(cap, sizeof cap, "val acc %.1f%%", run->at("faithful_val_acc").get<double>());
        panel.caption = cap;
        if (progress)
          std::fprintf(stderr, "t-SNE %s %s: %lld points, KL %.3f\n", dataset.c_str(), method_key(m).c_str(),
                       (long long)x.size(0), res.kl);
      }
      fig.panels.push_back(std::move(panel));
    }
    const std::string stem = (fs::path(results_dir) / ("fig_" + dataset)).string();
    figures::write_scatter_grid(fig, stem);
    written.push_back(stem);
  }
  return written;
}

std::string departures_markdown(const nlohmann::json& config) {
  // Settings that do not change what is computed (where files go, how many loader threads).
  static const std::set<std::string> ignored = {"preset",   "method",         "dataset",        "out_dir",
                                                "data_dir", "loader_threads", "recon_images", "device"};
  static const std::map<std::string, std::string> meaning = {
      {"view_passes", "the reference's two gradient-free encoder passes over the augmented views, dropped for "
                      "AE, VAE and supervised; SimCLR encodes its views regardless"},
      {"probe_train_limit", "training images of the post-hoc probe; 0 = every training image, -1 = the encoder's"},
      {"train_limit", "0 = all"},
      {"test_limit", "0 = all"}};
  const nlohmann::json reference = to_json(preset("paper"));
  std::string list;
  for (const auto& [key, value] : config.items()) {
    if (ignored.count(key) || !reference.contains(key) || reference.at(key) == value) continue;
    const auto m = meaning.find(key);
    list += std::string(list.empty() ? "" : "; ") + "`" + key + "` " + value.dump() + " (reference " +
            reference.at(key).dump() + (m == meaning.end() ? "" : ": " + m->second) + ")";
  }
  if (list.empty()) return "These runs use the reference code's settings (the `paper` preset) unchanged.\n\n";
  return "Where these runs depart from the reference code's settings (the `paper` preset): " + list + ".\n\n";
}

// The "Runs" section: per run its device, epochs, steps, speed, wall time and probe, then the total.
static std::string runs_markdown(const nlohmann::json& doc) {
  std::string md = "## Runs\n\n";
  md += "| Run | Device | Epochs | Steps | Train images | s/step | img/s | Wall time (train + eval) | Best val (epoch) | "
        "Online probe, test | Post-hoc probe: images, time |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  double total = 0;
  for (const nlohmann::json& r : doc.at("runs")) {
    const nlohmann::json& t = r.at("train");
    const nlohmann::json& p = r.at("probe");
    const double wall = t.at("wall_seconds");
    const double probe_s = p.at("extract_seconds").get<double>() + p.at("train_seconds").get<double>();
    total += wall + probe_s;
    const int64_t limit = t.at("config").at("train_limit").get<int64_t>();
    const std::string train_images = limit > 0 ? std::to_string(limit) : "all";
    char row[512];
    std::snprintf(row, sizeof row, "| %s_%s%s | %s | %lld | %lld | %s | %.3f | %.0f | %s | %.1f (%lld) | %.1f | %lld, %s |\n",
                  r.at("dataset").get<std::string>().c_str(), r.at("method").get<std::string>().c_str(),
                  r.at("reused").get<bool>() ? " (reused)" : "", t.at("device").get<std::string>().c_str(),
                  (long long)t.at("epochs_done").get<int64_t>(), (long long)t.at("steps").get<int64_t>(),
                  train_images.c_str(), t.at("seconds_per_step").get<double>(),
                  t.at("images_per_second").get<double>(), format_duration(wall).c_str(),
                  100 * t.at("best_val_acc").get<double>(), (long long)t.at("best_epoch").get<int64_t>(),
                  r.at("online_test_acc").get<double>(), (long long)p.at("train_images").get<int64_t>(),
                  format_duration(probe_s).c_str());
    md += row;
  }
  md += "\nTotal training + probing time of the runs listed: " + format_duration(total);
  if (doc.value("jobs", 1) > 1)
    md += "; they ran " + std::to_string(doc.at("jobs").get<int>()) + " at a time (`--jobs`), " +
          std::to_string(doc.at("threads_per_job").get<int>()) + " thread(s) each, so the table took " +
          format_duration(doc.value("table1_wall_seconds", 0.0)) + " from start to finish";
  md += ".\n\n";
  return md;
}

std::string table1_markdown(const nlohmann::json& doc) {
  std::string md;
  md += "# Table 1, reproduced\n\n";
  md += "Accuracy (%) of a two-layer MLP classifier trained on frozen representations learned by AE, VAE and "
        "SimCLR, and of a supervised ResNet18 (Goncharov & Soboleva, Table 1), beside ours.\n\n";
  md += "- **paper**: the published numbers. The paper does not say how many epochs, how many GPUs, or whether "
        "the last or the best epoch produced them; the reference code's defaults are 150 epochs and a width-64 "
        "ResNet18.\n";
  md += "- **ours, online probe (val)**: the reference code's protocol: the MLP probe trains online beside the "
        "encoder (stop-gradient) and is read on the 1000-image validation split carved from the training set, "
        "after the last epoch. Its heads use the run's `--protocol` (faithful: BN eps = output dim, as the "
        "reference; standard: BN eps 1e-5).\n";
  md += "- **ours, post-hoc probe (test)**: after training, a fresh MLP probe (BN eps 1e-5) trained on the frozen "
        "encoder's representations of the training images, read on the official test set.\n\n";
  md += "Both rows of ours come from the same trained encoders; only the probe differs.\n\n";
  if (!doc.at("runs").empty()) md += departures_markdown(doc.at("runs")[0].at("train").at("config"));
  md += "| Dataset | Protocol | AE | VAE | SimCLR | Supervised |\n|---|---|---|---|---|---|\n";
  std::set<std::string> seen;
  std::vector<std::string> datasets;
  for (const nlohmann::json& r : doc.at("runs"))
    if (seen.insert(r.at("dataset").get<std::string>()).second) datasets.push_back(r.at("dataset"));
  for (const std::string& d : datasets) {
    const std::string name = d == "mnist" ? "MNIST" : "CIFAR10";
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"paper", "paper"}, {"faithful_val_acc", "ours, online probe (val)"},
        {"standard_test_acc", "ours, post-hoc probe (test)"}};
    for (const auto& [key, title] : rows) {
      md += "| " + name + " | " + title + " |";
      for (Method m : all_methods()) {
        const nlohmann::json* r = find_run(doc, d, method_key(m));
        const double v = key == "paper" ? paper_accuracy(d, method_key(m))
                                        : (r ? r->at(key).get<double>() : std::nan(""));
        md += ' ';  // three appends: GCC 12 misreads a + chain of temporaries here as -Wrestrict
        md += pct(v, 1);
        md += " |";
      }
      md += "\n";
    }
  }
  md += "\nOn 1000 validation images the binomial standard error is about 1.6 points at 55%, 1.2 at 82% and "
        "0.4 at 98%.\n\n";

  if (doc.contains("curves"))
    md += "## Training curves\n\n" + curves_markdown(doc.at("curves").get<std::vector<std::string>>());
  md += runs_markdown(doc);

  md += "## Settings\n\n";
  md += "Preset `" + doc.at("preset").get<std::string>() + "`";
  if (!doc.at("overrides").empty()) md += " with overrides `" + doc.at("overrides").dump() + "`";
  md += ". Every run's full configuration is in table1.json (`runs[i].train.config`) and in its run directory "
        "(config.json). The first run's:\n\n```json\n";
  if (!doc.at("runs").empty()) md += doc.at("runs")[0].at("train").at("config").dump(2) + "\n";
  md += "```\n\n";
  md += "Started " + doc.at("started").get<std::string>() + ", last written " + doc.value("finished", std::string("-")) +
        ".\n";
  if (doc.contains("figures")) {
    md += "\n## Figures\n\n";
    for (const nlohmann::json& f : doc.at("figures")) {
      const std::string stem = fs::path(f.get<std::string>()).filename().string();
      md += "![" + stem + "](" + stem + ".png)\n";
    }
  }
  return md;
}

}  // namespace dl::experiments
