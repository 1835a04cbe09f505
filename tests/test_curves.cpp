// test_curves.cpp - the training-curves figures (experiments/curves.h over line_chart.h) from a
// small synthetic set of run directories: both files are written, the SVG names the methods, the
// PNG is not blank, a method without a run is left out, the accuracy panel holds the accuracies
// (and the loss panel the losses), the post-hoc diamond is drawn where its value says, a
// one-epoch run is a visible point, and a malformed metrics line is an error naming the line.
#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/curves.h"
#include "experiments/figures.h"
#include "tensor/error.h"

namespace fs = std::filesystem;
using namespace dl;
using namespace dl::experiments;

namespace {

struct FakeRun {
  std::string method;
  std::vector<double> val_acc;  // fractions, one per epoch
  std::vector<double> loss;     // the method's own loss, one per epoch
  double posthoc = -1;          // fraction; < 0: no probe.json
};

// Writes <root>/<dataset>_<method>/{metrics.jsonl, probe.json} the way train and table1 do
// (only the keys the curves read) and returns a table1.json-like document listing them.
nlohmann::json write_runs(const std::string& root, const std::string& dataset, const std::vector<FakeRun>& runs) {
  nlohmann::json doc = {{"runs", nlohmann::json::array()}};
  for (const FakeRun& r : runs) {
    const std::string dir = root + "/" + dataset + "_" + r.method;
    fs::create_directories(dir);
    std::ofstream m(dir + "/metrics.jsonl");
    for (size_t e = 0; e < r.val_acc.size(); e++)
      m << nlohmann::json{{"epoch", e + 1}, {"val_acc", r.val_acc[e]}, {"train_loss", 99.0},
                          {loss_key(parse_method(r.method)), r.loss[e]}}.dump()
        << "\n";
    if (r.posthoc >= 0)
      std::ofstream(dir + "/probe.json") << nlohmann::json{{"test_acc", r.posthoc},
                                                           {"checkpoint_epochs", r.val_acc.size()}}.dump();
    doc["runs"].push_back({{"dataset", dataset}, {"method", r.method}, {"train", {{"run_dir", dir}}}});
  }
  return doc;
}

std::string temp_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("dl_test_curves_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The PNG, read back; pixel(x_pt, y_pt) is the RGB at a position given in points (2 px each).
class Png {
 public:
  explicit Png(const std::string& path) : s_(cairo_image_surface_create_from_png(path.c_str())) {
    cairo_surface_flush(s_);
  }
  ~Png() { cairo_surface_destroy(s_); }
  bool ok() const { return cairo_surface_status(s_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(s_); }
  int height() const { return cairo_image_surface_get_height(s_); }
  std::array<int, 3> px(int x, int y) const {  // {-1, -1, -1} outside the image
    if (x < 0 || y < 0 || x >= width() || y >= height()) return {-1, -1, -1};
    const unsigned char* d = cairo_image_surface_get_data(s_);
    const uint32_t v = *reinterpret_cast<const uint32_t*>(d + y * cairo_image_surface_get_stride(s_) + 4 * x);
    return {int((v >> 16) & 255), int((v >> 8) & 255), int(v & 255)};
  }
  std::array<int, 3> at(figures::PagePoint p) const { return px(int(2 * p.x), int(2 * p.y)); }

 private:
  cairo_surface_t* s_;
};

std::array<int, 3> bytes(const figures::Rgb& c) {
  return {int(std::lround(255 * c[0])), int(std::lround(255 * c[1])), int(std::lround(255 * c[2]))};
}

const std::vector<FakeRun> kFour = {{"ae", {0.60, 0.80, 0.85}, {0.040, 0.030, 0.020}, 0.95},
                                    {"vae", {0.30, 0.40, 0.50}, {0.080, 0.070, 0.060}, 0.70},
                                    {"simclr", {0.50, 0.65, 0.75}, {5.0, 4.5, 4.25}, 0.90},
                                    {"supervised", {0.90, 0.95, 0.97}, {0.50, 0.10, 0.05}, 0.98}};

}  // namespace

TEST(Curves, WritesBothFilesNamingEveryMethod) {
  const std::string dir = temp_dir("four");
  const nlohmann::json doc = write_runs(dir + "/runs", "mnist", kFour);
  const std::vector<std::string> stems = write_training_curves(doc, dir);
  ASSERT_EQ(stems, std::vector<std::string>{dir + "/curves_mnist"});
  const std::string svg = read_text(dir + "/curves_mnist.svg");
  ASSERT_NE(svg.find("<svg"), std::string::npos);
  for (const char* m : {"AE,", "VAE,", "SimCLR,", "Supervised,"}) EXPECT_NE(svg.find(m), std::string::npos) << m;
  EXPECT_NE(svg.find("<title>Training curves, MNIST</title>"), std::string::npos);

  const Png png(dir + "/curves_mnist.png");
  ASSERT_TRUE(png.ok());
  std::vector<RunCurves> runs;
  for (const FakeRun& r : kFour)
    runs.push_back(read_run_curves(dir + "/runs/mnist_" + r.method, parse_method(r.method)));
  const figures::PagePoint size = figures::chart_size(curves_chart("mnist", runs));
  EXPECT_EQ(png.width(), int(2 * size.x));
  int coloured = 0;  // pixels that are neither white nor grey: the lines and markers
  for (int y = 0; y < png.height(); y += 2)
    for (int x = 0; x < png.width(); x += 2) {
      const auto c = png.px(x, y);
      coloured += std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]}) > 60;
    }
  EXPECT_GT(coloured, 500);

  const std::string md = curves_markdown(stems);
  EXPECT_NE(md.find("![curves_mnist](curves_mnist.png)"), std::string::npos) << md;
  EXPECT_NE(md.find("MNIST: "), std::string::npos) << md;
  fs::remove_all(dir);
}

TEST(Curves, MissingMethodsAreLeftOut) {
  const std::string dir = temp_dir("two");
  const nlohmann::json doc = write_runs(dir + "/runs", "cifar10", {kFour[0], kFour[2]});
  write_training_curves(doc, dir);
  const std::string svg = read_text(dir + "/curves_cifar10.svg");
  EXPECT_NE(svg.find("AE,"), std::string::npos);
  EXPECT_NE(svg.find("SimCLR,"), std::string::npos);
  EXPECT_EQ(svg.find("VAE,"), std::string::npos);
  EXPECT_EQ(svg.find("Supervised,"), std::string::npos);

  // A run directory without metrics.jsonl or probe.json (not trained yet) is left out too.
  std::vector<RunCurves> runs = {read_run_curves(dir + "/runs/cifar10_ae", Method::AE),
                                 read_run_curves(dir + "/nothing_here", Method::VAE)};
  const figures::LineChart c = curves_chart("cifar10", runs);
  ASSERT_EQ(c.panels.size(), 2u);
  EXPECT_EQ(c.panels[0].series.size(), 1u);
  EXPECT_EQ(c.panels[1].series.size(), 1u);
  EXPECT_EQ(c.legend.size(), 2u);  // AE and the post-hoc diamond
  fs::remove_all(dir);
}

// The accuracies sit in the left panel and the losses (relative to epoch 1) in the right one, in
// the method's colour where their values say; the post-hoc diamond is at (last epoch, test acc).
// Swapping the panels or dropping the diamond fails the pixel checks.
TEST(Curves, AccuracyLeftLossRightDiamondAtTheProbe) {
  const std::string dir = temp_dir("pixels");
  const nlohmann::json doc = write_runs(dir + "/runs", "mnist", kFour);
  write_training_curves(doc, dir);
  std::vector<RunCurves> runs;
  for (const FakeRun& r : kFour)
    runs.push_back(read_run_curves(dir + "/runs/mnist_" + r.method, parse_method(r.method)));
  const figures::LineChart c = curves_chart("mnist", runs);
  ASSERT_EQ(c.panels[0].series.size(), 4u);
  EXPECT_EQ(c.panels[0].series[0].y, (std::vector<double>{60, 80, 85}));
  EXPECT_NEAR(c.panels[1].series[3].y[2], 0.05 / 0.50, 1e-12);  // supervised cross-entropy
  EXPECT_EQ(c.panels[0].markers.size(), 4u);

  const Png png(dir + "/curves_mnist.png");
  ASSERT_TRUE(png.ok());
  const auto blue = bytes(figures::tab10()[0]), red = bytes(figures::tab10()[3]);
  EXPECT_EQ(png.at(figures::chart_position(c, 0, 2, 80)), blue);         // AE, epoch 2, val 80%
  figures::PagePoint diamond = figures::chart_position(c, 0, 3, 95);     // AE's diamond: test 95%,
  diamond.x += posthoc_marker_offset_pt(Method::AE);                      // nudged left
  EXPECT_EQ(png.at(diamond), blue);
  EXPECT_EQ(png.at(figures::chart_position(c, 1, 2, 0.030 / 0.040)), blue);  // AE's MSE at epoch 2
  EXPECT_EQ(png.at(figures::chart_position(c, 1, 2, 0.10 / 0.50)), red);     // supervised CE, epoch 2
  // Nothing is drawn where the AE would be were the marker its last validation accuracy + 5.
  EXPECT_NE(png.at(figures::chart_position(c, 0, 2, 90)), blue);
  fs::remove_all(dir);
}

TEST(Curves, OneEpochIsAPoint) {
  const std::string dir = temp_dir("one");
  const nlohmann::json doc = write_runs(dir + "/runs", "mnist", {{"vae", {0.42}, {0.07}, -1}});
  write_training_curves(doc, dir);
  const figures::LineChart c = curves_chart("mnist", {read_run_curves(dir + "/runs/mnist_vae", Method::VAE)});
  EXPECT_TRUE(c.panels[0].markers.empty());
  const Png png(dir + "/curves_mnist.png");
  ASSERT_TRUE(png.ok());
  const auto orange = bytes(figures::tab10()[1]);
  EXPECT_EQ(png.at(figures::chart_position(c, 0, 1, 42)), orange);
  EXPECT_EQ(png.at(figures::chart_position(c, 1, 1, 1.0)), orange);
  fs::remove_all(dir);
}

TEST(Curves, MalformedMetricsLineNamesTheFileAndLine) {
  const std::string dir = temp_dir("bad");
  fs::create_directories(dir + "/run");
  std::ofstream(dir + "/run/metrics.jsonl") << R"({"epoch": 1, "val_acc": 0.5, "train_ae": 0.1})" << "\n"
                                            << R"({"epoch": 2})" << "\n";
  try {
    read_run_curves(dir + "/run", Method::AE);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("metrics.jsonl line 2"), std::string::npos) << e.what();
  }
  figures::LineChart none;
  EXPECT_THROW(figures::write_line_chart(none, dir + "/x"), Error);
  fs::remove_all(dir);
}
