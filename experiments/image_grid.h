// image_grid.h - write a rows x cols grid of small images to a PNG (cairo), for augmentation
// previews and AE/VAE reconstruction grids. Images are float (C, H, W) with C = 1 or 3, in the
// network's normalized units: each value is mapped back with x * std[c] + mean[c], scaled to
// [0, 255] and clamped. Cells are `scale` x enlarged (nearest neighbour) and separated by a
// `gap`-pixel border.
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dl::experiments {

struct ImageGridOptions {
  int scale = 1;                    // each source pixel becomes scale x scale output pixels
  int gap = 1;                      // pixels between cells and around the grid
  float gap_gray = 1.0f;            // gap colour, 0 = black .. 1 = white
  std::vector<float> mean, std;     // per channel (or one value for all); empty = 0 and 1
  std::vector<std::string> column_titles;  // optional header line above each column
};

// images[r * cols + c] points to one (C, H, W) image; a null pointer leaves the cell blank.
// Throws dl::Error naming the path when cairo cannot write it.
void write_image_grid(const std::string& path, const std::vector<const float*>& images, int rows, int cols,
                      int channels, int height, int width, const ImageGridOptions& opts = {});

// A CPU tensor (N, C, H, W) laid out row-major in the grid (N <= rows * cols).
void write_image_grid(const std::string& path, const Tensor& images, int rows, int cols,
                      const ImageGridOptions& opts = {});

}  // namespace dl::experiments
