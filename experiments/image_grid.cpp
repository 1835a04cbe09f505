// image_grid.cpp - see image_grid.h. Pixels are written straight into a cairo RGB24 image
// surface (one uint32 0x00RRGGBB per pixel, rows `stride` bytes apart); cairo only encodes the
// PNG and draws the optional column titles.
#include "experiments/image_grid.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tensor/error.h"

namespace dl::experiments {

namespace {

uint8_t to_byte(float v) {
  const float x = std::round(v * 255.0f);
  return static_cast<uint8_t>(std::clamp(x, 0.0f, 255.0f));
}

float channel_param(const std::vector<float>& v, int c, float dflt) {
  if (v.empty()) return dflt;
  return v.size() == 1 ? v[0] : v[c];
}

}  // namespace

void write_image_grid(const std::string& path, const std::vector<const float*>& images, int rows, int cols,
                      int channels, int height, int width, const ImageGridOptions& opts) {
  DL_CHECK(rows > 0 && cols > 0, "write_image_grid(", path, "): bad grid ", rows, "x", cols);
  DL_CHECK(channels == 1 || channels == 3, "write_image_grid(", path, "): images have ", channels,
           " channels; expected 1 or 3");
  DL_CHECK(height > 0 && width > 0 && opts.scale > 0 && opts.gap >= 0, "write_image_grid(", path, "): bad image ",
           height, "x", width, " or scale ", opts.scale, " or gap ", opts.gap);
  DL_CHECK(static_cast<int>(images.size()) <= rows * cols, "write_image_grid(", path, "): ", images.size(),
           " images do not fit a ", rows, "x", cols, " grid");
  for (const auto* v : {&opts.mean, &opts.std})
    DL_CHECK(v->empty() || v->size() == 1 || static_cast<int>(v->size()) == channels, "write_image_grid(", path,
             "): mean/std have ", v->size(), " values for ", channels, " channels");

  const int title_h = opts.column_titles.empty() ? 0 : 14;
  const int cell_w = width * opts.scale, cell_h = height * opts.scale;
  const int W = cols * cell_w + (cols + 1) * opts.gap;
  const int H = title_h + rows * cell_h + (rows + 1) * opts.gap;

  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
  DL_CHECK(cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, "write_image_grid(", path,
           "): cannot create a ", W, "x", H, " surface: ", cairo_status_to_string(cairo_surface_status(surface)));
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const uint8_t g = to_byte(opts.gap_gray);
  const uint32_t gap_px = (uint32_t{g} << 16) | (uint32_t{g} << 8) | g;
  for (int y = 0; y < H; ++y) std::fill_n(reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y) * stride), W, gap_px);

  const size_t plane = static_cast<size_t>(height) * width;
  for (size_t k = 0; k < images.size(); ++k) {
    const float* img = images[k];
    if (!img) continue;
    const int r = static_cast<int>(k) / cols, c = static_cast<int>(k) % cols;
    const int x0 = opts.gap + c * (cell_w + opts.gap), y0 = title_h + opts.gap + r * (cell_h + opts.gap);
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        uint8_t rgb[3];
        for (int ch = 0; ch < 3; ++ch) {
          const int src_c = channels == 1 ? 0 : ch;
          const float v = img[src_c * plane + static_cast<size_t>(y) * width + x];
          rgb[ch] = to_byte(v * channel_param(opts.std, src_c, 1.0f) + channel_param(opts.mean, src_c, 0.0f));
        }
        const uint32_t px = (uint32_t{rgb[0]} << 16) | (uint32_t{rgb[1]} << 8) | rgb[2];
        for (int dy = 0; dy < opts.scale; ++dy) {
          auto* row = reinterpret_cast<uint32_t*>(data + static_cast<size_t>(y0 + y * opts.scale + dy) * stride);
          std::fill_n(row + x0 + x * opts.scale, opts.scale, px);
        }
      }
  }
  cairo_surface_mark_dirty(surface);

  if (title_h > 0) {
    cairo_t* cr = cairo_create(surface);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    const double ink = opts.gap_gray > 0.5f ? 0.0 : 1.0;
    cairo_set_source_rgb(cr, ink, ink, ink);
    for (int c = 0; c < cols && c < static_cast<int>(opts.column_titles.size()); ++c) {
      cairo_text_extents_t ext;
      cairo_text_extents(cr, opts.column_titles[c].c_str(), &ext);
      const double cx = opts.gap + c * (cell_w + opts.gap) + cell_w / 2.0;
      cairo_move_to(cr, cx - ext.width / 2 - ext.x_bearing, title_h - 3);
      cairo_show_text(cr, opts.column_titles[c].c_str());
    }
    cairo_destroy(cr);
  }

  const cairo_status_t st = cairo_surface_write_to_png(surface, path.c_str());
  cairo_surface_destroy(surface);
  DL_CHECK(st == CAIRO_STATUS_SUCCESS, "write_image_grid: cannot write ", path, ": ", cairo_status_to_string(st));
}

void write_image_grid(const std::string& path, const Tensor& images, int rows, int cols,
                      const ImageGridOptions& opts) {
  DL_CHECK(images.ndim() == 4 && images.device() == Device::CPU, "write_image_grid(", path,
           "): expected a CPU tensor (N, C, H, W), got ", images.ndim(), " dims");
  const int64_t n = images.size(0), C = images.size(1), Hh = images.size(2), Ww = images.size(3);
  std::vector<const float*> ptrs;
  for (int64_t i = 0; i < n; ++i) ptrs.push_back(images.data() + i * C * Hh * Ww);
  write_image_grid(path, ptrs, rows, cols, static_cast<int>(C), static_cast<int>(Hh), static_cast<int>(Ww), opts);
}

}  // namespace dl::experiments
