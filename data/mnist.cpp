// mnist.cpp - IDX parsing with validation; the image bytes are read straight into the Dataset.
#include "data/mnist.h"

#include <algorithm>

#include "data/gz_file.h"
#include "tensor/error.h"

namespace dl::data {
namespace {

constexpr int kSide = 28, kClasses = 10;
constexpr int64_t kMaxImages = 10'000'000;  // a sanity bound so a corrupt header cannot ask for terabytes

uint32_t read_be32(GzFile& f, const char* what) {
  uint8_t b[4];
  f.read_exact(b, 4, what);
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

void maybe_check_sha(GzFile& f, bool verify) {
  if (verify) check_sha256("mnist/" + stem_without_gz(f.path()), f.sha256_hex(), "'" + f.path() + "'");
}

}  // namespace

Dataset read_mnist_files(const std::string& images_path, const std::string& labels_path, const std::string& name,
                         bool verify_sha256) {
  Dataset d;
  d.kind = DatasetKind::MNIST, d.name = name;
  d.channels = 1, d.height = kSide, d.width = kSide;
  for (int c = 0; c < kClasses; ++c) d.class_names.push_back(std::to_string(c));

  // Images: magic, N, rows, cols, then N*rows*cols bytes.
  GzFile fi(images_path);
  if (verify_sha256) fi.enable_sha256();
  const uint32_t magic = read_be32(fi, "the IDX magic number");
  DL_CHECK(magic == kIdxImagesMagic, "'", images_path, "': bad IDX magic number: expected ", kIdxImagesMagic,
           " (uint8 images, 3 dimensions), found ", magic, magic == kIdxLabelsMagic ? " (a label file)" : "");
  const uint32_t n = read_be32(fi, "the image count");
  const uint32_t rows = read_be32(fi, "the row count"), cols = read_be32(fi, "the column count");
  DL_CHECK(rows == kSide && cols == kSide, "'", images_path, "': expected ", kSide, "x", kSide, " images, found ", rows,
           "x", cols);
  DL_CHECK(n > 0 && n <= kMaxImages, "'", images_path, "': implausible image count ", n);
  // Grow with the data actually read, not with the header's claim: a corrupt count (up to
  // kMaxImages = 7.8 GB) then fails as "truncated" after one chunk instead of allocating it all.
  const size_t total = size_t(n) * kSide * kSide;
  constexpr size_t kChunk = size_t(1) << 20;
  for (size_t have = 0; have < total;) {
    const size_t chunk = std::min(total - have, kChunk);
    d.images.resize(have + chunk);
    fi.read_exact(d.images.data() + have, chunk, std::to_string(n) + " images of 28x28 bytes");
    have += chunk;
  }
  fi.expect_end("16-byte header + " + std::to_string(n) + " images");
  maybe_check_sha(fi, verify_sha256);

  // Labels: magic, N, then N bytes in [0, 10).
  GzFile fl(labels_path);
  if (verify_sha256) fl.enable_sha256();
  const uint32_t lmagic = read_be32(fl, "the IDX magic number");
  DL_CHECK(lmagic == kIdxLabelsMagic, "'", labels_path, "': bad IDX magic number: expected ", kIdxLabelsMagic,
           " (uint8 labels, 1 dimension), found ", lmagic, lmagic == kIdxImagesMagic ? " (an image file)" : "");
  const uint32_t nl = read_be32(fl, "the label count");
  DL_CHECK(nl == n, "'", labels_path, "': expected ", n, " labels (as many as images in '", images_path, "'), found ",
           nl);
  std::vector<uint8_t> raw(n);
  fl.read_exact(raw.data(), n, std::to_string(n) + " labels");
  fl.expect_end("8-byte header + " + std::to_string(n) + " labels");
  maybe_check_sha(fl, verify_sha256);

  d.labels.resize(n);
  d.source_indices.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    DL_CHECK(raw[i] < kClasses, "'", labels_path, "': label ", int(raw[i]), " of image ", i, " outside [0, 10)");
    d.labels[i] = raw[i];
    d.source_indices[i] = static_cast<int32_t>(i);
  }
  return d;
}

Dataset read_mnist(const std::string& mnist_dir, bool train, bool verify_sha256) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images = find_maybe_gz(mnist_dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_maybe_gz(mnist_dir, prefix + "-labels-idx1-ubyte");
  Dataset d = read_mnist_files(images, labels, train ? "MNIST train" : "MNIST test", verify_sha256);
  const int64_t expected = train ? 60000 : 10000;
  DL_CHECK(d.size() == expected, "'", images, "': the official MNIST ", train ? "training" : "test", " set has ",
           expected, " images, found ", d.size());
  return d;
}

}  // namespace dl::data
