// figure_canvas.h - what the figure writers (figures.h: t-SNE grids, line_chart.h: training
// curves) share: one drawing rendered to <stem>.png at 2 px per point and to <stem>.svg in
// points, text placement in cairo's toy font API, and the font.
#pragma once
#include <cairo.h>

#include <array>
#include <functional>
#include <string>

namespace dl::figures {

using Rgb = std::array<double, 3>;  // in [0, 1]

inline constexpr const char* kFont = "DejaVu Sans";

void set_rgb(cairo_t* cr, const Rgb& c);
void set_font(cairo_t* cr, double size, cairo_font_weight_t weight = CAIRO_FONT_WEIGHT_NORMAL,
              cairo_font_slant_t slant = CAIRO_FONT_SLANT_NORMAL);

// Text with its baseline at y: centred on x, ending at x, or starting at x.
void text_centred(cairo_t* cr, const std::string& s, double x, double y);
void text_right(cairo_t* cr, const std::string& s, double x, double y);
void text_left(cairo_t* cr, const std::string& s, double x, double y);

// Calls draw once on a (2 width_pt) x (2 height_pt) px image surface scaled by 2, written to
// <stem>.png, and once on a width_pt x height_pt SVG surface, written to <stem>.svg. cairo's SVG
// draws text as glyph outlines, so svg_title and svg_description (when not empty) are inserted
// as the SVG's <title> and <desc> elements: what screen readers and text search see. Errors name
// the file cairo could not write.
void write_png_and_svg(const std::string& stem, double width_pt, double height_pt,
                       const std::function<void(cairo_t*)>& draw, const std::string& svg_title = "",
                       const std::string& svg_description = "");

}  // namespace dl::figures
