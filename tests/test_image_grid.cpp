// test_image_grid.cpp - experiments/image_grid: geometry, un-normalization and gaps, read back
// from the PNG with cairo.
#include <gtest/gtest.h>

#include <cairo.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "experiments/image_grid.h"
#include "tensor/error.h"

using namespace dl;

namespace {
// 0x00RRGGBB of the pixel (x, y) of a PNG.
struct Png {
  explicit Png(const std::string& path) : s(cairo_image_surface_create_from_png(path.c_str())) {}
  ~Png() { cairo_surface_destroy(s); }
  int width() const { return cairo_image_surface_get_width(s); }
  int height() const { return cairo_image_surface_get_height(s); }
  uint32_t at(int x, int y) const {
    const unsigned char* d = cairo_image_surface_get_data(s);
    return reinterpret_cast<const uint32_t*>(d + y * cairo_image_surface_get_stride(s))[x] & 0xFFFFFF;
  }
  cairo_surface_t* s;
};
}  // namespace

TEST(ImageGrid, LayoutAndUnnormalization) {
  const std::string path = ::testing::TempDir() + "image_grid_test.png";
  // Two 3x2x2 images, normalized with mean 0.5, std 0.25: value v shows as (v * 0.25 + 0.5) * 255.
  std::vector<float> a(12, 0.0f), b(12, 0.0f);
  a[0] = 2.0f;            // R of pixel (0, 0): 1.0 -> 255
  a[4 + 3] = -2.0f;       // G of pixel (1, 1): 0.0 -> 0
  b[8 + 1] = 10.0f;       // B of pixel (1, 0): clamped to 255
  experiments::ImageGridOptions opts;
  opts.scale = 3, opts.gap = 1, opts.gap_gray = 1.0f;
  opts.mean = {0.5f}, opts.std = {0.25f};
  experiments::write_image_grid(path, {a.data(), nullptr, b.data()}, 2, 2, 3, 2, 2, opts);
  Png png(path);
  ASSERT_EQ(cairo_surface_status(png.s), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(png.width(), 2 * 6 + 3);
  EXPECT_EQ(png.height(), 2 * 6 + 3);
  EXPECT_EQ(png.at(0, 0), 0xFFFFFFu);                 // gap
  EXPECT_EQ(png.at(1, 1), 0xFF8080u);                 // a (0, 0): R 255, G/B 128
  EXPECT_EQ(png.at(3, 3), 0xFF8080u);                 // still the same source pixel (scale 3)
  EXPECT_EQ(png.at(4 + 2, 4 + 2), 0x800080u);         // a (1, 1): G 0
  EXPECT_EQ(png.at(8 + 1, 1), 0xFFFFFFu);             // the blank cell keeps the gap colour
  EXPECT_EQ(png.at(1 + 3, 8 + 1), 0x8080FFu);         // b (x 1, y 0): B clamped to 255
  std::remove(path.c_str());
}

TEST(ImageGrid, GrayscaleImagesAndErrors) {
  const std::string path = ::testing::TempDir() + "image_grid_gray.png";
  std::vector<float> g = {0.0f, 1.0f};  // 1x1x2, no normalization
  experiments::write_image_grid(path, {g.data()}, 1, 1, 1, 1, 2, {});
  Png png(path);
  EXPECT_EQ(png.at(1, 1), 0x000000u);
  EXPECT_EQ(png.at(2, 1), 0xFFFFFFu);
  std::remove(path.c_str());
  EXPECT_THROW(experiments::write_image_grid(path, {g.data(), g.data()}, 1, 1, 1, 1, 2, {}), Error);
  EXPECT_THROW(experiments::write_image_grid(path, {g.data()}, 1, 1, 2, 1, 1, {}), Error);
  EXPECT_THROW(experiments::write_image_grid("/nonexistent/dir/x.png", {g.data()}, 1, 1, 1, 1, 2, {}), Error);
}
