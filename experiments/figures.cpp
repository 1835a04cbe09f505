// figures.cpp - cairo drawing of the t-SNE figure grid (see figures.h). All sizes are in points
// (1/72 in); the PNG is rendered at 2 px per point, the SVG keeps points.
#include "experiments/figures.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "experiments/figure_canvas.h"
#include "tensor/error.h"

namespace dl::figures {
namespace {

// Layout (points).
constexpr double kMargin = 18, kTitleH = 44, kPanel = 330, kPanelTitleH = 26, kGap = 20;
constexpr double kLegendW = 118, kLegendGap = 18;
constexpr double kWidth = kMargin + 2 * kPanel + kGap + kLegendGap + kLegendW + kMargin;
constexpr double kHeight = kMargin + kTitleH + 2 * (kPanelTitleH + kPanel) + kGap + kMargin;
// Markers: seaborn's default s = 36 pt^2 area at matplotlib's default; the paper's edge width
// 0.08 sqrt(18) suggests s = 18, i.e. a marker diameter of sqrt(18) = 4.2 pt.
constexpr double kMarkerR = 2.25, kEdgeW = 0.34;

void draw_panel(cairo_t* cr, const Panel& p, double x0, double y0) {
  // title (and caption) above the square
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 14);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text_centred(cr, p.title, x0 + kPanel / 2, y0 + kPanelTitleH - 9);
  if (!p.caption.empty()) {
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 9);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_text_extents_t e;
    cairo_text_extents(cr, p.caption.c_str(), &e);
    cairo_move_to(cr, x0 + kPanel - e.width - e.x_bearing - 4, y0 + kPanelTitleH - 9);
    cairo_show_text(cr, p.caption.c_str());
  }
  const double bx = x0, by = y0 + kPanelTitleH;
  const size_t n = p.xy.size() / 2;
  if (n == 0) {
    cairo_rectangle(cr, bx, by, kPanel, kPanel);
    cairo_set_source_rgb(cr, 0.965, 0.965, 0.965);
    cairo_fill(cr);
    cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_ITALIC, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 15);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    text_centred(cr, "not run", bx + kPanel / 2, by + kPanel / 2 + 5);
  } else {
    DL_CHECK(p.labels.size() == n, "figure panel '", p.title, "': ", n, " points but ", p.labels.size(), " labels");
    // Equal-aspect fit of the bounding box into the square, 4% padding each side.
    double lo[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    double hi[2] = {-lo[0], -lo[1]};
    for (size_t i = 0; i < n; i++)
      for (int a = 0; a < 2; a++) lo[a] = std::min(lo[a], double(p.xy[2 * i + a])), hi[a] = std::max(hi[a], double(p.xy[2 * i + a]));
    const double pad = 0.04 * kPanel, span = std::max({hi[0] - lo[0], hi[1] - lo[1], 1e-12});
    const double scale = (kPanel - 2 * pad) / span;
    const double cx = 0.5 * (lo[0] + hi[0]), cy = 0.5 * (lo[1] + hi[1]);
    cairo_save(cr);
    cairo_rectangle(cr, bx, by, kPanel, kPanel);
    cairo_clip(cr);
    cairo_set_line_width(cr, kEdgeW);
    for (size_t i = 0; i < n; i++) {  // data order, as seaborn draws
      const double px = bx + kPanel / 2 + (p.xy[2 * i] - cx) * scale;
      const double py = by + kPanel / 2 - (p.xy[2 * i + 1] - cy) * scale;  // y up
      const int32_t c = p.labels[i];
      cairo_new_sub_path(cr);
      cairo_arc(cr, px, py, kMarkerR, 0, 2 * M_PI);
      if (c >= 0)
        set_rgb(cr, tab10()[c % 10]);
      else
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
      cairo_fill_preserve(cr);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_stroke(cr);
    }
    cairo_restore(cr);
  }
  // frame (matplotlib-like spines, no ticks as in the paper)
  cairo_rectangle(cr, bx + 0.4, by + 0.4, kPanel - 0.8, kPanel - 0.8);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

void draw_legend(cairo_t* cr, const std::vector<std::string>& names, double x0, double ymid) {
  const double row = 21;
  const double y0 = ymid - row * double(names.size() + 1) / 2;
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 12);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_move_to(cr, x0, y0 + 12);
  cairo_show_text(cr, "class");
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 12);
  for (size_t c = 0; c < names.size(); c++) {
    const double y = y0 + row * double(c + 1) + 8;
    cairo_new_sub_path(cr);
    cairo_arc(cr, x0 + 6, y, 5.0, 0, 2 * M_PI);
    set_rgb(cr, tab10()[c % 10]);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_move_to(cr, x0 + 17, y + 4.3);
    cairo_show_text(cr, names[c].c_str());
  }
}

void draw(cairo_t* cr, const Figure& fig) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, kFont, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 18);
  cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
  text_centred(cr, fig.title, kMargin + kPanel + kGap / 2, kMargin + 24);
  for (size_t k = 0; k < 4 && k < fig.panels.size(); k++) {
    const double x0 = kMargin + double(k % 2) * (kPanel + kGap);
    const double y0 = kMargin + kTitleH + double(k / 2) * (kPanelTitleH + kPanel + kGap);
    draw_panel(cr, fig.panels[k], x0, y0);
  }
  draw_legend(cr, fig.class_names, kMargin + 2 * kPanel + kGap + kLegendGap,
              kMargin + kTitleH + (2 * (kPanelTitleH + kPanel) + kGap) / 2);
}

}  // namespace

const std::array<std::array<double, 3>, 10>& tab10() {
  static const std::array<std::array<double, 3>, 10> c = [] {
    const unsigned hex[10] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                              0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    std::array<std::array<double, 3>, 10> out{};
    for (int i = 0; i < 10; i++)
      out[i] = {((hex[i] >> 16) & 255) / 255.0, ((hex[i] >> 8) & 255) / 255.0, (hex[i] & 255) / 255.0};
    return out;
  }();
  return c;
}

std::vector<std::string> class_names(const std::string& dataset) {
  if (dataset == "mnist") return {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  if (dataset == "cifar10")
    return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
  DL_FAIL("figure: unknown dataset '", dataset, "' (known: mnist, cifar10)");
}

void write_scatter_grid(const Figure& fig, const std::string& stem) {
  DL_CHECK(fig.panels.size() <= 4, "figure '", fig.title, "': ", fig.panels.size(), " panels, the grid holds 4");
  for (const Panel& p : fig.panels)
    DL_CHECK(p.xy.size() % 2 == 0 && p.labels.size() == p.xy.size() / 2, "figure panel '", p.title, "': ",
             p.xy.size() / 2, " points but ", p.labels.size(), " labels");
  write_png_and_svg(stem, kWidth, kHeight, [&](cairo_t* cr) { draw(cr, fig); }, fig.title);
}

}  // namespace dl::figures
