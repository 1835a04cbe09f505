// augment_grid - a PNG preview of the SimCLR augmentations: N rows of (clean, view1, view2) for
// the first images of the training set, through data/pipeline.h exactly as the loader calls it.
//   augment_grid --dataset cifar10 --out cifar_aug.png [--data-dir DIR] [--rows 16] [--seed 0]
// DIR holds cifar10/data_batch_1.bin.gz and mnist/train-images-idx3-ubyte.gz (default:
// $DL_DATA_DIR, else shared/data).
//
// The dataset readers (data/cifar10.h, data/mnist.h) are being written on another branch; until
// they land, read_first_images() below reads the few images needed straight from the gzip files.
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "data/pipeline.h"
#include "data/transforms.h"
#include "experiments/cli_errors.h"
#include "experiments/image_grid.h"
#include "experiments/strict_option.h"
#include "tensor/error.h"

using namespace dl;
using dl::data::DatasetKind;

namespace {

// The first n training images, uint8 CHW, back to back.
std::vector<uint8_t> read_first_images(DatasetKind kind, const std::string& dir, int n) {
  const bool mnist = kind == DatasetKind::MNIST;
  const std::string path = dir + (mnist ? "/mnist/train-images-idx3-ubyte.gz" : "/cifar10/data_batch_1.bin.gz");
  gzFile f = gzopen(path.c_str(), "rb");
  DL_CHECK(f, "augment_grid: cannot open ", path);
  const data::ImageSpec sp = data::image_spec(kind);
  const int elems = sp.channels * sp.height * sp.width;
  std::vector<uint8_t> out(static_cast<size_t>(n) * elems);
  bool ok = true;
  if (mnist) {  // IDX: 16-byte big-endian header (magic 2051, count, rows, cols), then pixels
    unsigned char header[16];
    ok = gzread(f, header, 16) == 16 && header[2] == 8 && header[3] == 3;
    ok = ok && gzread(f, out.data(), static_cast<unsigned>(out.size())) == static_cast<int>(out.size());
  } else {  // records of 1 label byte + 3072 pixel bytes (R plane, G plane, B plane)
    std::vector<uint8_t> rec(1 + elems);
    for (int i = 0; i < n && ok; ++i) {
      ok = gzread(f, rec.data(), static_cast<unsigned>(rec.size())) == static_cast<int>(rec.size());
      std::copy(rec.begin() + 1, rec.end(), out.begin() + static_cast<size_t>(i) * elems);
    }
  }
  gzclose(f);
  DL_CHECK(ok, "augment_grid: ", path, " is truncated or not the expected format");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PNG grid of (clean, view1, view2) SimCLR augmentations"};
  std::string dataset = "cifar10", out = "augment_grid.png";
  const char* env_dir = std::getenv("DL_DATA_DIR");
  std::string dir = env_dir ? env_dir : "shared/data";
  int rows = 16, scale = 3;
  uint64_t seed = 0;
  bool blur = false;
  app.add_option("--dataset", dataset, "cifar10 or mnist")->check(CLI::IsMember({"cifar10", "mnist"}));
  app.add_option("--data-dir", dir, "folder with cifar10/ and mnist/");
  app.add_option("--out", out, "PNG to write");
  experiments::add_number(app, "--rows", rows, "images (rows)")->check(CLI::Range(1, 1000));
  experiments::add_number(app, "--scale", scale, "pixel enlargement")->check(CLI::Range(1, 16));
  experiments::add_number(app, "--seed", seed, "augmentation generator seed");
  app.add_flag("--blur", blur, "enable the (reference: off) Gaussian blur");
  CLI11_PARSE(app, argc, argv);

  try {
    const DatasetKind kind = dataset == "mnist" ? DatasetKind::MNIST : DatasetKind::CIFAR10;
    const data::ImageSpec sp = data::image_spec(kind);
    const size_t elems = static_cast<size_t>(sp.channels) * sp.height * sp.width;
    const std::vector<uint8_t> imgs = read_first_images(kind, dir, rows);

    data::AugmentConfig cfg;
    cfg.gaussian_blur = blur;
    Generator rng(seed);
    std::vector<float> buf(static_cast<size_t>(rows) * 3 * data::kOutElems);
    std::vector<const float*> cells;
    for (int r = 0; r < rows; ++r) {
      float* row = buf.data() + static_cast<size_t>(r) * 3 * data::kOutElems;
      data::clean_transform(kind, imgs.data() + r * elems, row);
      data::simclr_view(kind, imgs.data() + r * elems, row + data::kOutElems, rng, cfg);
      data::simclr_view(kind, imgs.data() + r * elems, row + 2 * data::kOutElems, rng, cfg);
      for (int c = 0; c < 3; ++c) cells.push_back(row + c * data::kOutElems);
    }
    experiments::ImageGridOptions opts;
    opts.scale = scale;
    // Every output image is 3 channels; MNIST's three are copies normalized with one mean/std.
    opts.mean.assign(data::dataset_mean(kind), data::dataset_mean(kind) + sp.channels);
    opts.std.assign(data::dataset_std(kind), data::dataset_std(kind) + sp.channels);
    opts.column_titles = {"clean", "view 1", "view 2"};
    experiments::write_image_grid(out, cells, rows, 3, data::kOutChannels, data::kOutSize, data::kOutSize, opts);
    std::printf("wrote %s: %d rows x (clean, view 1, view 2) of %s\n", out.c_str(), rows, dataset.c_str());
  } catch (const std::exception& e) {
    return experiments::report_error("augment_grid", e);
  }
  return 0;
}
