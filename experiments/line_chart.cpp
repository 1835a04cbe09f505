// line_chart.cpp - see line_chart.h. All sizes are in points (1/72 in).
#include "experiments/line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tensor/error.h"

namespace dl::figures {
namespace {

// Layout (points): margin | y gutter | plot | gap | y gutter | plot | legend gap | legend | margin.
constexpr double kMargin = 16, kTitleH = 30, kPanelTitleH = 20;
constexpr double kPlotW = 300, kPlotH = 210, kGutterL = 52, kGutterB = 38, kPanelGap = 18;
constexpr double kLegendGap = 18, kLegendW = 205, kCaptionLine = 13, kCaptionGap = 6;
constexpr double kLineW = 1.8, kDotR = 2.8, kDiamond = 5.5;
const Rgb kInk = {0.1, 0.1, 0.1}, kMuted = {0.35, 0.35, 0.35}, kGrid = {0.9, 0.9, 0.9};

// 1, 2, 2.5 or 5 (2.5 only when allowed) times a power of ten, about span / target.
double nice_step(double span, double target, bool allow_quarter) {
  const double raw = span / target, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double m = f <= 1 ? 1 : f <= 2 ? 2 : (allow_quarter && f <= 2.5) ? 2.5 : f <= 5 ? 5 : 10;
  return m * mag;
}

// x axis: the data padded by a little (so that the end points and markers dodged sideways by up to
// ~15 pt clear the frame), not rounded out;
// y axis: the data padded by 5% of its span and rounded out to ticks. Both clipped to the limits.
AxisRange axis_range(const std::vector<double>& values, const Axis& axis, bool round_out) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) {  // one value: a small window around it
    const double w = axis.integer_ticks ? 0.5 : std::max(0.05 * std::abs(lo), 1e-3);
    lo -= w, hi += w;
  }
  const double pad = round_out ? 0.05 * (hi - lo) : std::max(0.3, 0.07 * (hi - lo));
  lo -= pad, hi += pad;
  double step = nice_step(hi - lo, round_out ? 5 : 6, !axis.integer_ticks);
  if (axis.integer_ticks) step = std::max(step, 1.0);
  if (round_out) lo = std::floor(lo / step) * step, hi = std::ceil(hi / step) * step;
  return {std::max(lo, axis.limit_lo), std::min(hi, axis.limit_hi), step};
}

std::string tick_text(double v, double step) {
  int decimals = 0;
  while (decimals < 6 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-9 ? 0.0 : v);
  return buf;
}

// The tick values of a range: multiples of its step inside it.
std::vector<double> ticks(const AxisRange& r) {
  std::vector<double> t;
  for (double k = std::ceil(r.lo / r.tick_step - 1e-9); k * r.tick_step <= r.hi + 1e-9 * r.tick_step; k += 1)
    t.push_back(k * r.tick_step);
  return t;
}

struct Box {
  double left, top, width, height;
};

Box plot_box(size_t panel) {
  return {kMargin + kGutterL + double(panel) * (kGutterL + kPlotW + kPanelGap), kMargin + kTitleH + kPanelTitleH,
          kPlotW, kPlotH};
}

PagePoint to_page(const Box& b, const AxisRange& xr, const AxisRange& yr, double x, double y) {
  return {b.left + (x - xr.lo) / (xr.hi - xr.lo) * b.width, b.top + b.height - (y - yr.lo) / (yr.hi - yr.lo) * b.height};
}

void draw_axes(cairo_t* cr, const ChartPanel& p, const Box& b, const AxisRange& xr, const AxisRange& yr) {
  cairo_set_line_width(cr, 0.6);
  set_font(cr, 9);
  for (const double t : ticks(yr)) {
    const double py = to_page(b, xr, yr, xr.lo, t).y;
    set_rgb(cr, kGrid);
    cairo_move_to(cr, b.left, py), cairo_line_to(cr, b.left + b.width, py), cairo_stroke(cr);
    set_rgb(cr, kMuted);
    text_right(cr, tick_text(t, yr.tick_step), b.left - 5, py + 3.2);
  }
  for (const double t : ticks(xr)) {
    const double px = to_page(b, xr, yr, t, yr.lo).x;
    set_rgb(cr, kGrid);
    cairo_move_to(cr, px, b.top), cairo_line_to(cr, px, b.top + b.height), cairo_stroke(cr);
    set_rgb(cr, kMuted);
    text_centred(cr, tick_text(t, xr.tick_step), px, b.top + b.height + 13);
  }
  set_rgb(cr, kInk);
  set_font(cr, 10);
  text_centred(cr, p.x.label, b.left + b.width / 2, b.top + b.height + 30);
  cairo_save(cr);
  cairo_translate(cr, b.left - kGutterL + 12, b.top + b.height / 2);
  cairo_rotate(cr, -M_PI / 2);
  text_centred(cr, p.y.label, 0, 0);
  cairo_restore(cr);
  set_font(cr, 11, CAIRO_FONT_WEIGHT_BOLD);
  text_centred(cr, p.title, b.left + b.width / 2, b.top - 8);
}

void draw_dot(cairo_t* cr, const Rgb& colour, double x, double y) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x, y, kDotR, 0, 2 * M_PI);
  set_rgb(cr, colour);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 0.7);
  cairo_stroke(cr);
}

void draw_diamond(cairo_t* cr, const Rgb& colour, double x, double y) {
  cairo_move_to(cr, x, y - kDiamond), cairo_line_to(cr, x + kDiamond, y);
  cairo_line_to(cr, x, y + kDiamond), cairo_line_to(cr, x - kDiamond, y);
  cairo_close_path(cr);
  set_rgb(cr, colour);
  cairo_fill_preserve(cr);
  set_rgb(cr, kInk);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
}

void draw_series(cairo_t* cr, const Series& s, const Box& b, const AxisRange& xr, const AxisRange& yr) {
  set_rgb(cr, s.colour);
  cairo_set_line_width(cr, kLineW);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  bool drawing = false;
  for (size_t i = 0; i < s.x.size(); i++) {
    if (!std::isfinite(s.y[i])) {
      drawing = false;
      continue;
    }
    const PagePoint q = to_page(b, xr, yr, s.x[i], s.y[i]);
    drawing ? cairo_line_to(cr, q.x, q.y) : cairo_move_to(cr, q.x, q.y);
    drawing = true;
  }
  cairo_stroke(cr);
  // A dot on every point while they stand apart (a one-point series is only its dot); with many
  // points (e.g. 150 epochs) dots would merge into a thick line, so the line alone is drawn.
  const bool dots = s.x.size() <= 1 || b.width / double(s.x.size()) >= 8;
  for (size_t i = 0; dots && i < s.x.size(); i++)
    if (std::isfinite(s.y[i])) {
      const PagePoint q = to_page(b, xr, yr, s.x[i], s.y[i]);
      draw_dot(cr, s.colour, q.x, q.y);
    }
}

void draw_panel(cairo_t* cr, const ChartPanel& p, const Box& b) {
  const AxisRange xr = x_range(p), yr = y_range(p);
  draw_axes(cr, p, b, xr, yr);
  cairo_save(cr);
  // Clip a little outside the frame so that points on the edge show whole.
  cairo_rectangle(cr, b.left - kDiamond, b.top - kDiamond, b.width + 2 * kDiamond, b.height + 2 * kDiamond);
  cairo_clip(cr);
  for (const Series& s : p.series) draw_series(cr, s, b, xr, yr);
  for (const Marker& m : p.markers) {
    const PagePoint q = to_page(b, xr, yr, m.x, m.y);
    draw_diamond(cr, m.colour, q.x + m.dx_pt, q.y);
  }
  cairo_restore(cr);
  cairo_rectangle(cr, b.left + 0.4, b.top + 0.4, b.width - 0.8, b.height - 0.8);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

void draw_legend(cairo_t* cr, const std::vector<LegendEntry>& entries, double x0, double y0) {
  double y = y0 + 8;
  for (const LegendEntry& e : entries) {
    if (e.symbol == LegendEntry::Symbol::Line) {
      set_rgb(cr, e.colour);
      cairo_set_line_width(cr, kLineW);
      cairo_move_to(cr, x0, y), cairo_line_to(cr, x0 + 24, y), cairo_stroke(cr);
      draw_dot(cr, e.colour, x0 + 12, y);
    } else {
      draw_diamond(cr, e.colour, x0 + 12, y);
    }
    set_rgb(cr, kInk);
    set_font(cr, 10.5, CAIRO_FONT_WEIGHT_BOLD);
    text_left(cr, e.label, x0 + 31, y + 3.8);
    y += 17;
    if (!e.detail.empty()) {
      set_rgb(cr, kMuted);
      set_font(cr, 8.5);
      text_left(cr, e.detail, x0 + 31, y + 1);
      y += 13;
    }
    y += 6;
  }
}

void draw(cairo_t* cr, const LineChart& c) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  const PagePoint size = chart_size(c);
  set_rgb(cr, kInk);
  set_font(cr, 16, CAIRO_FONT_WEIGHT_BOLD);
  text_left(cr, c.title, kMargin, kMargin + 18);
  for (size_t k = 0; k < c.panels.size(); k++) draw_panel(cr, c.panels[k], plot_box(k));
  const Box last = plot_box(c.panels.size() - 1);
  if (!c.legend.empty()) draw_legend(cr, c.legend, last.left + last.width + kLegendGap, last.top);
  set_rgb(cr, kMuted);
  set_font(cr, 9);
  double y = size.y - kMargin - kCaptionLine * double(c.caption.size()) + 9;
  for (const std::string& line : c.caption) text_left(cr, line, kMargin, y), y += kCaptionLine;
}

}  // namespace

AxisRange x_range(const ChartPanel& p) {
  std::vector<double> v;
  for (const Series& s : p.series) v.insert(v.end(), s.x.begin(), s.x.end());
  for (const Marker& m : p.markers) v.push_back(m.x);
  return axis_range(v, p.x, false);
}

AxisRange y_range(const ChartPanel& p) {
  std::vector<double> v;
  for (const Series& s : p.series) v.insert(v.end(), s.y.begin(), s.y.end());
  for (const Marker& m : p.markers) v.push_back(m.y);
  return axis_range(v, p.y, true);
}

PagePoint chart_position(const LineChart& chart, size_t panel, double x, double y) {
  DL_CHECK(panel < chart.panels.size(), "line chart '", chart.title, "': no panel ", panel, " (it has ",
           chart.panels.size(), ")");
  const ChartPanel& p = chart.panels[panel];
  return to_page(plot_box(panel), x_range(p), y_range(p), x, y);
}

PagePoint chart_size(const LineChart& chart) {
  const Box last = plot_box(chart.panels.empty() ? 0 : chart.panels.size() - 1);
  const double w = last.left + last.width + (chart.legend.empty() ? 0 : kLegendGap + kLegendW) + kMargin;
  const double caption = chart.caption.empty() ? 0 : kCaptionGap + kCaptionLine * double(chart.caption.size());
  return {w, last.top + last.height + kGutterB + caption + kMargin};
}

std::string describe(const LineChart& chart) {
  std::string d = chart.title + ".";
  char buf[64];
  for (const ChartPanel& p : chart.panels) {
    d += "\n" + p.title + " (x: " + p.x.label + "; y: " + p.y.label + ").";
    for (const Series& s : p.series) {
      d += "\n  " + s.name + ":";
      for (size_t i = 0; i < s.x.size(); i++) {
        std::snprintf(buf, sizeof buf, "%s (%g, %g)", i ? "," : "", s.x[i], s.y[i]);
        d += buf;
      }
    }
    for (const Marker& m : p.markers) {
      std::snprintf(buf, sizeof buf, " (%g, %g)", m.x, m.y);
      d += "\n  " + m.name + ":" + buf;
    }
  }
  return d;
}

void write_line_chart(const LineChart& chart, const std::string& stem) {
  DL_CHECK(!chart.panels.empty() && chart.panels.size() <= 3, "line chart '", chart.title, "': ",
           chart.panels.size(), " panels; it draws 1 to 3");
  for (const ChartPanel& p : chart.panels)
    for (const Series& s : p.series)
      DL_CHECK(s.x.size() == s.y.size(), "line chart '", chart.title, "', panel '", p.title, "', series '", s.name,
               "': ", s.x.size(), " x values but ", s.y.size(), " y values");
  const PagePoint size = chart_size(chart);
  write_png_and_svg(stem, size.x, size.y, [&](cairo_t* cr) { draw(cr, chart); }, chart.title, describe(chart));
}

}  // namespace dl::figures
