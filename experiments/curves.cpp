// curves.cpp - see curves.h.
#include "experiments/curves.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/figures.h"
#include "experiments/trainer.h"
#include "tensor/error.h"

namespace fs = std::filesystem;

namespace dl::experiments {
namespace {

// tab10 in the paper's column order: AE blue, VAE orange, SimCLR green, supervised red.
figures::Rgb method_colour(Method m) {
  const auto& order = all_methods();
  const size_t i = size_t(std::find(order.begin(), order.end(), m) - order.begin());
  return figures::tab10()[i % 10];
}

std::string loss_name(Method m) {
  switch (m) {
    case Method::AE: return "MSE";
    case Method::VAE: return "MSE + \u03b2\u00b7KL";
    case Method::SimCLR: return "NT-Xent";
    case Method::Supervised: return "cross-entropy";
  }
  return "loss";
}

std::string dataset_title(const std::string& d) { return d == "mnist" ? "MNIST" : d == "cifar10" ? "CIFAR10" : d; }

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

nlohmann::json parse_file(const std::string& path) {
  std::ifstream in(path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    DL_FAIL(path, ": ", e.what());
  }
}

// Each loss divided by the first one (NaN when the first is not a positive number).
std::vector<double> relative_to_first(const std::vector<double>& v) {
  std::vector<double> out(v.size(), std::nan(""));
  if (!v.empty() && std::isfinite(v[0]) && v[0] > 0)
    for (size_t i = 0; i < v.size(); i++) out[i] = v[i] / v[0];
  return out;
}

void add_method(figures::LineChart& chart, const RunCurves& r) {
  const figures::Rgb colour = method_colour(r.method);
  const std::string title = method_title(r.method);
  figures::ChartPanel& acc = chart.panels[0];
  figures::ChartPanel& loss = chart.panels[1];
  acc.series.push_back({title + ", online probe (validation, %)", colour, r.epochs, r.val_acc_pct});
  if (std::isfinite(r.posthoc_test_acc_pct)) {
    const double at = r.posthoc_epoch > 0 ? r.posthoc_epoch : (r.epochs.empty() ? 1 : r.epochs.back());
    acc.markers.push_back(
        {title + ", post-hoc probe (test, %)", colour, at, r.posthoc_test_acc_pct, posthoc_marker_offset_pt(r.method)});
  }
  loss.series.push_back({title + ", " + loss_name(r.method) + " relative to epoch 1", colour, r.epochs,
                         relative_to_first(r.loss)});
  std::string detail = loss_name(r.method);
  // first -> last (one epoch: its value); appended piecewise, GCC 12 warns on " " + std::string&&
  if (!r.loss.empty()) detail.append(" ").append(short_number(r.loss.front()));
  if (r.loss.size() > 1) detail.append(" \u2192 ").append(short_number(r.loss.back()));
  chart.legend.push_back({figures::LegendEntry::Symbol::Line, colour, title, detail});
}

}  // namespace

double posthoc_marker_offset_pt(Method m) {
  const auto& order = all_methods();
  const double column = double(std::find(order.begin(), order.end(), m) - order.begin());
  return 6.0 * (column - 1.5);
}

std::string loss_key(Method m) {
  switch (m) {
    case Method::AE: return "train_ae";
    case Method::VAE: return "train_vae";
    case Method::SimCLR: return "train_simclr";
    case Method::Supervised: return "train_cls";
  }
  return "train_loss";
}

RunCurves read_run_curves(const std::string& run_dir, Method method) {
  RunCurves c;
  c.method = method;
  const std::string path = metrics_path(run_dir);
  std::ifstream in(path);
  int64_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      c.epochs.push_back(j.at("epoch").get<double>());
      c.val_acc_pct.push_back(100 * j.at("val_acc").get<double>());
      c.loss.push_back(j.contains(loss_key(method)) ? j.at(loss_key(method)).get<double>()
                                                    : j.at("train_loss").get<double>());
    } catch (const nlohmann::json::exception& e) {
      DL_FAIL(path, " line ", line_no, ": ", e.what());
    }
  }
  const std::string probe = (fs::path(run_dir) / "probe.json").string();
  if (fs::exists(probe)) {
    const nlohmann::json p = parse_file(probe);
    DL_CHECK(p.contains("test_acc") && p.at("test_acc").is_number(), probe, ": no numeric test_acc");
    c.posthoc_test_acc_pct = 100 * p.at("test_acc").get<double>();
    c.posthoc_epoch = p.value("checkpoint_epochs", 0.0);
  }
  return c;
}

figures::LineChart curves_chart(const std::string& dataset, const std::vector<RunCurves>& runs) {
  figures::LineChart chart;
  chart.title = "Training curves, " + dataset_title(dataset);
  figures::Axis epochs{"epoch", true};
  epochs.limit_lo = 0;
  figures::Axis acc{"accuracy (%)"};
  acc.limit_lo = 0, acc.limit_hi = 100;
  figures::Axis loss{"training loss \u00f7 its epoch-1 mean"};
  loss.limit_lo = 0;
  chart.panels = {{"Probe accuracy", epochs, acc, {}, {}}, {"Training loss, relative to epoch 1", epochs, loss, {}, {}}};
  bool any_marker = false;
  for (Method m : all_methods())
    for (const RunCurves& r : runs)
      if (r.method == m && (!r.epochs.empty() || std::isfinite(r.posthoc_test_acc_pct))) {
        add_method(chart, r);
        any_marker = any_marker || std::isfinite(r.posthoc_test_acc_pct);
        break;
      }
  if (any_marker)
    chart.legend.push_back({figures::LegendEntry::Symbol::Diamond, {0.75, 0.75, 0.75}, "post-hoc probe (test)",
                            "in the method's colour"});
  chart.caption = {
      "Left: lines = the online probe (trained beside the encoder on its detached features) on the validation "
      "split after each epoch; \u25c6 = the post-hoc probe (a fresh MLP on the frozen encoder) on the test set.",
      "Right: each method's own training loss (mean over the epoch's steps) divided by its epoch-1 mean (the four "
      "losses are different quantities on different scales); the legend gives the first and last epoch's values."};
  return chart;
}

std::vector<std::string> write_training_curves(const nlohmann::json& doc, const std::string& results_dir) {
  std::vector<std::string> datasets, written;
  for (const nlohmann::json& r : doc.at("runs")) {
    const std::string d = r.at("dataset");
    if (std::find(datasets.begin(), datasets.end(), d) == datasets.end()) datasets.push_back(d);
  }
  for (const std::string& dataset : datasets) {
    std::vector<RunCurves> runs;
    for (const nlohmann::json& r : doc.at("runs"))
      if (r.at("dataset") == dataset)
        runs.push_back(read_run_curves(r.at("train").at("run_dir").get<std::string>(),
                                       parse_method(r.at("method").get<std::string>())));
    const std::string stem = (fs::path(results_dir) / ("curves_" + dataset)).string();
    figures::write_line_chart(curves_chart(dataset, runs), stem);
    written.push_back(stem);
  }
  return written;
}

std::string curves_markdown(const std::vector<std::string>& stems) {
  std::string md;
  for (const std::string& s : stems) {
    const std::string name = fs::path(s).filename().string();
    const std::string dataset = name.rfind("curves_", 0) == 0 ? name.substr(7) : name;
    md += "![" + name + "](" + name + ".png)\n\n*" + dataset_title(dataset) +
          ": the online probe's validation accuracy per epoch (\u25c6 the post-hoc probe's test accuracy) and each "
          "method's training loss relative to its first epoch ([SVG](" + name + ".svg)).*\n\n";
  }
  return md;
}

}  // namespace dl::experiments
