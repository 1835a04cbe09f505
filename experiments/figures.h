// figures.h - the paper's Figures 1 and 2 (t-SNE of each method's representation): a 2x2 grid of
// scatter panels (AE, VAE, SimCLR, Supervised), points coloured by class in matplotlib's tab10
// palette with thin white marker edges (seaborn's scatterplot look), a class legend and a title;
// drawn with cairo to PNG and SVG. A panel without points (method not run) says "not run".
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dl::figures {

struct Panel {
  std::string title;            // "AE", "VAE", "SimCLR", "Supervised"
  std::vector<float> xy;        // (n, 2) row-major; empty: the method was not run
  std::vector<int32_t> labels;  // (n) class indices into Figure::class_names
  std::string caption;          // optional small text under the title, e.g. "KL 1.23"
};

struct Figure {
  std::string title;
  std::vector<std::string> class_names;  // legend entries, in class-index order
  std::vector<Panel> panels;             // up to 4, filled row by row
};

// "mnist" -> "0".."9"; "cifar10" -> airplane, automobile, ..., truck. Unknown name: an error
// listing the known ones.
std::vector<std::string> class_names(const std::string& dataset);

// matplotlib's tab10 colours (RGB in [0, 1]); class c gets tab10[c % 10].
const std::array<std::array<double, 3>, 10>& tab10();

// Writes <stem>.png (2x resolution) and <stem>.svg; errors name the file cairo could not write.
void write_scatter_grid(const Figure& fig, const std::string& stem);

}  // namespace dl::figures
