// test_figures.cpp - the t-SNE figure writer (experiments/figures.h): PNG and SVG are written,
// the PNG has the expected size, points land in their panel in the class colour, a missing
// panel is the light "not run" box, and bad input is an error naming the problem.
#include <cairo.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "experiments/figures.h"
#include "tensor/error.h"

using namespace dl;

namespace {

// RGB of the PNG pixel at (x, y).
std::array<int, 3> pixel(cairo_surface_t* s, int x, int y) {
  const unsigned char* d = cairo_image_surface_get_data(s);
  const uint32_t v = *reinterpret_cast<const uint32_t*>(d + y * cairo_image_surface_get_stride(s) + 4 * x);
  return {int((v >> 16) & 255), int((v >> 8) & 255), int(v & 255)};
}

// cairo's toy-font cache keeps fontconfig patterns until exit, which LeakSanitizer (the asan
// preset) reports; releasing cairo's static data when the tests end frees them.
class CairoStaticData : public ::testing::Environment {
 public:
  void TearDown() override { cairo_debug_reset_static_data(); }
};
const auto* const kCairoEnv = ::testing::AddGlobalTestEnvironment(new CairoStaticData);

}  // namespace

TEST(Figures, ClassNamesAndPalette) {
  EXPECT_EQ(figures::class_names("mnist").size(), 10u);
  EXPECT_EQ(figures::class_names("cifar10")[1], "automobile");
  EXPECT_THROW(figures::class_names("svhn"), Error);
  EXPECT_NEAR(figures::tab10()[0][0], 0x1f / 255.0, 1e-12);  // tab:blue #1f77b4
  EXPECT_NEAR(figures::tab10()[3][0], 0xd6 / 255.0, 1e-12);  // tab:red #d62728
}

TEST(Figures, WritesPngAndSvgWithNotRunPanel) {
  const std::string dir = testing::TempDir() + "dl_figures_test";
  std::filesystem::create_directories(dir);
  const std::string stem = dir + "/grid";
  figures::Figure fig;
  fig.title = "test";
  fig.class_names = figures::class_names("cifar10");
  figures::Panel a{"AE", {}, {}, ""};
  for (int i = 0; i < 20; i++) {  // red (class 3) markers on the panel centre
    a.xy.push_back(0.0f), a.xy.push_back(0.0f);
    a.labels.push_back(3);
  }
  a.xy.push_back(-1.0f), a.xy.push_back(-1.0f), a.labels.push_back(0);  // far corner, blue
  a.xy.push_back(1.0f), a.xy.push_back(1.0f), a.labels.push_back(0);
  fig.panels = {a, figures::Panel{"VAE", {}, {}, ""}, a, a};
  figures::write_scatter_grid(fig, stem);
  ASSERT_TRUE(std::filesystem::exists(stem + ".svg"));
  std::ifstream svg(stem + ".svg");
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);

  cairo_surface_t* png = cairo_image_surface_create_from_png((stem + ".png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  const int W = cairo_image_surface_get_width(png), H = cairo_image_surface_get_height(png);
  EXPECT_GT(W, 1000);
  EXPECT_GT(H, 1000);
  cairo_surface_flush(png);
  // Panel AE occupies x in [18, 348] pt, y in [88, 418] pt (2 px per pt): its centre is red.
  const auto red = pixel(png, 2 * (18 + 165), 2 * (88 + 165));
  EXPECT_GT(red[0], 180);
  EXPECT_LT(red[1], 80);
  // Panel VAE (x from 368 pt) is the light grey "not run" box, not white.
  const auto grey = pixel(png, 2 * (368 + 20), 2 * (88 + 20));
  EXPECT_EQ(grey[0], grey[2]);
  EXPECT_LT(grey[0], 250);
  EXPECT_GT(grey[0], 230);
  cairo_surface_destroy(png);

  figures::Panel bad = a;
  bad.labels.pop_back();
  fig.panels = {bad};
  EXPECT_THROW(figures::write_scatter_grid(fig, stem), Error);
  EXPECT_THROW(figures::write_scatter_grid(fig, "/nonexistent_dir/x"), Error);
}
