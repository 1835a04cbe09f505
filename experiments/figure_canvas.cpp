// figure_canvas.cpp - see figure_canvas.h.
#include "experiments/figure_canvas.h"

#include <cairo-svg.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "experiments/text_file.h"
#include "tensor/error.h"

namespace dl::figures {
namespace {

void check(cairo_status_t st, const std::string& what) {
  DL_CHECK(st == CAIRO_STATUS_SUCCESS, "figure: ", what, ": ", cairo_status_to_string(st));
}

std::string xml_escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DL_CHECK(in.good(), "figure: cannot read back ", path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Inserts <title> and <desc> right after the opening <svg ...> tag of the file cairo wrote.
void add_svg_text(const std::string& path, const std::string& title, const std::string& description) {
  if (title.empty() && description.empty()) return;
  std::string svg = read_whole(path);
  const size_t open = svg.find("<svg");
  const size_t end = open == std::string::npos ? open : svg.find('>', open);
  DL_CHECK(end != std::string::npos, "figure: ", path, " has no <svg> element");
  std::string inserted = "\n";
  if (!title.empty()) inserted += "<title>" + xml_escaped(title) + "</title>\n";
  if (!description.empty()) inserted += "<desc>" + xml_escaped(description) + "</desc>\n";
  svg.insert(end + 1, inserted);
  experiments::write_text_atomic(path, svg);
}

}  // namespace

void set_rgb(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c[0], c[1], c[2]); }

void set_font(cairo_t* cr, double size, cairo_font_weight_t weight, cairo_font_slant_t slant) {
  cairo_select_font_face(cr, kFont, slant, weight);
  cairo_set_font_size(cr, size);
}

void text_centred(cairo_t* cr, const std::string& s, double x, double y) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - (e.width / 2 + e.x_bearing), y);
  cairo_show_text(cr, s.c_str());
}

void text_right(cairo_t* cr, const std::string& s, double x, double y) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - e.x_advance, y);
  cairo_show_text(cr, s.c_str());
}

void text_left(cairo_t* cr, const std::string& s, double x, double y) {
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, s.c_str());
}

void write_png_and_svg(const std::string& stem, double width_pt, double height_pt,
                       const std::function<void(cairo_t*)>& draw, const std::string& svg_title,
                       const std::string& svg_description) {
  // RAII so that an exception while drawing leaks neither the surface nor the context.
  using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
  using Context = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
  {  // PNG at 2 px per point
    const double s = 2.0;
    Surface surf(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, int(width_pt * s), int(height_pt * s)),
                 cairo_surface_destroy);
    check(cairo_surface_status(surf.get()), "creating the PNG surface for " + stem + ".png");
    {
      Context cr(cairo_create(surf.get()), cairo_destroy);
      cairo_scale(cr.get(), s, s);
      draw(cr.get());
      check(cairo_status(cr.get()), "drawing " + stem + ".png");
    }
    check(cairo_surface_write_to_png(surf.get(), (stem + ".png").c_str()), "writing " + stem + ".png");
  }
  {
    Surface surf(cairo_svg_surface_create((stem + ".svg").c_str(), width_pt, height_pt), cairo_surface_destroy);
    check(cairo_surface_status(surf.get()), "creating " + stem + ".svg");
    {
      Context cr(cairo_create(surf.get()), cairo_destroy);
      draw(cr.get());
      check(cairo_status(cr.get()), "drawing " + stem + ".svg");
    }
    cairo_surface_finish(surf.get());
    check(cairo_surface_status(surf.get()), "writing " + stem + ".svg");
  }
  add_svg_text(stem + ".svg", svg_title, svg_description);
}

}  // namespace dl::figures
