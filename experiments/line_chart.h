// line_chart.h - line charts drawn with cairo (figure_canvas.h): one to three panels side by
// side, each with its own axes (ticks, grid, labels), lines through data points with a dot on
// every point while they are at least 8 pt apart (a one-point series is its dot), diamond markers for single values, a legend
// right of the panels and caption lines under them. Written as <stem>.png (2 px per point) and
// <stem>.svg, whose <desc> lists every series and marker as numbers.
#pragma once
#include <limits>
#include <string>
#include <vector>

#include "experiments/figure_canvas.h"

namespace dl::figures {

struct Series {
  std::string name;          // in the SVG's <desc>
  Rgb colour{};
  std::vector<double> x, y;  // same length; a non-finite y breaks the line
};

struct Marker {  // a diamond with a dark edge, drawn over the lines
  std::string name;
  Rgb colour{};
  double x = 0, y = 0;
  double dx_pt = 0;  // drawn this many points right of x, so that markers at one x can stand apart
};

struct Axis {
  std::string label;
  bool integer_ticks = false;  // e.g. epochs
  // The drawn range covers the data, padded and rounded out to ticks, but never beyond these.
  double limit_lo = -std::numeric_limits<double>::infinity();
  double limit_hi = std::numeric_limits<double>::infinity();
};

struct ChartPanel {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  std::vector<Marker> markers;
};

struct LegendEntry {
  enum class Symbol { Line, Diamond };
  Symbol symbol = Symbol::Line;
  Rgb colour{};
  std::string label;
  std::string detail;  // optional second, smaller line
};

struct LineChart {
  std::string title;
  std::vector<ChartPanel> panels;     // 1 to 3, left to right
  std::vector<LegendEntry> legend;    // right of the panels; none: no legend column
  std::vector<std::string> caption;   // lines under the panels
};

struct AxisRange {
  double lo = 0, hi = 1, tick_step = 1;  // ticks at the multiples of tick_step in [lo, hi]
};

// The ranges panel p is drawn with (from its series and markers).
AxisRange x_range(const ChartPanel& p);
AxisRange y_range(const ChartPanel& p);

// Where the data point (x, y) of panel `panel` lands, in points from the figure's top left (the
// PNG pixel is twice that).
struct PagePoint {
  double x = 0, y = 0;
};
PagePoint chart_position(const LineChart& chart, size_t panel, double x, double y);

// Figure size in points.
PagePoint chart_size(const LineChart& chart);

// The <desc> text: every panel's series and markers as numbers.
std::string describe(const LineChart& chart);

// Writes <stem>.png and <stem>.svg. Errors: no panel or more than 3, a series whose x and y
// lengths differ, a file cairo cannot write.
void write_line_chart(const LineChart& chart, const std::string& stem);

}  // namespace dl::figures
