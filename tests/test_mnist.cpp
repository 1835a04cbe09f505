// test_mnist.cpp - the IDX reader on the real MNIST files (label histograms from
// shared/data/README.md) and on small files written here (valid, gzipped, truncated, corrupt).
#include <gtest/gtest.h>
#include <unistd.h>

#include "data/data_dir.h"
#include "data/gz_file.h"
#include "data/sha256.h"
#include "data_fixtures.h"
#include "tensor/error.h"

using namespace dl;
using namespace dl::data;
using dl::test::error_of;
using dl::test::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << (msg)

TEST(MnistReader, RealTrainSetHistogram) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::MNIST);
  const Dataset& d = test::cached_official(DatasetKind::MNIST, true);
  EXPECT_EQ(d.size(), 60000);
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.height, 28);
  EXPECT_EQ(d.width, 28);
  EXPECT_NO_THROW(d.validate());
  EXPECT_EQ(d.label_histogram(), (std::vector<int64_t>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  // Pixel mean of x/255 is 0.1307 (README).
  double sum = 0;
  for (uint8_t p : d.images) sum += p;
  EXPECT_NEAR(sum / d.images.size() / 255.0, 0.1307, 5e-4);
  EXPECT_EQ(d.labels[0], 5);  // the famous first digit
}

TEST(MnistReader, RealTestSetHistogram) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::MNIST);
  const Dataset& d = test::cached_official(DatasetKind::MNIST, false);
  EXPECT_EQ(d.size(), 10000);
  EXPECT_EQ(d.label_histogram(), (std::vector<int64_t>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
}

TEST(MnistReader, Sha256OfASmallRealFile) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::MNIST);
  const std::string path = test::shared_data_dir() + "/mnist/t10k-labels-idx1-ubyte.gz";
  EXPECT_EQ(sha256_file(path), known_sha256("mnist/t10k-labels-idx1-ubyte.gz"));
  // The content check inside the reader (decompressed bytes vs the official file's sum).
  const std::string dir = test::shared_data_dir() + "/mnist";
  EXPECT_NO_THROW(read_mnist_files(dir + "/t10k-images-idx3-ubyte.gz", path, "t", /*verify_sha256=*/true));
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256_hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A million 'a', fed in uneven pieces to exercise the buffering.
  Sha256 s;
  const std::string piece(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    const size_t n = std::min(left, piece.size());
    s.update(piece.data(), n);
    left -= n;
  }
  EXPECT_EQ(s.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(MnistReader, TinyValidFilesPlainAndGzipped) {
  TempDir dir;
  const std::vector<uint8_t> labels = {3, 0, 9};
  test::write_bytes(dir.file("img"), test::idx_images(3));
  test::write_bytes(dir.file("lab"), test::idx_labels(labels));
  test::write_gz(dir.file("img.gz"), test::idx_images(3));
  test::write_gz(dir.file("lab.gz"), test::idx_labels(labels));
  for (const char* suffix : {"", ".gz"}) {
    const Dataset d = read_mnist_files(dir.file(std::string("img") + suffix), dir.file(std::string("lab") + suffix), "tiny");
    ASSERT_EQ(d.size(), 3);
    EXPECT_EQ(d.labels, (std::vector<int32_t>{3, 0, 9}));
    EXPECT_EQ(d.image(2)[5], (2 * 7 + 5) & 255);
    EXPECT_EQ(d.source_indices, (std::vector<int32_t>{0, 1, 2}));
    EXPECT_EQ(d.class_names.size(), 10u);
  }
}

TEST(MnistReader, WrongMagicNamesFileAndNumbers) {
  TempDir dir;
  test::write_bytes(dir.file("img"), test::idx_images(2, 28, 28, /*magic=*/2049));
  test::write_bytes(dir.file("lab"), test::idx_labels({1, 2}));
  const std::string msg = error_of([&] { read_mnist_files(dir.file("img"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, dir.file("img"));
  EXPECT_HAS(msg, "expected 2051");
  EXPECT_HAS(msg, "found 2049");
  // Labels and images swapped.
  test::write_bytes(dir.file("img2"), test::idx_images(2));
  const std::string msg2 = error_of([&] { read_mnist_files(dir.file("img2"), dir.file("img2"), "t"); });
  EXPECT_HAS(msg2, "expected 2049");
  EXPECT_HAS(msg2, "an image file");
}

TEST(MnistReader, TruncatedFilesAreErrors) {
  TempDir dir;
  std::vector<uint8_t> img = test::idx_images(3);
  img.resize(img.size() - 100);
  test::write_bytes(dir.file("img"), img);
  test::write_bytes(dir.file("lab"), test::idx_labels({1, 2, 3}));
  std::string msg = error_of([&] { read_mnist_files(dir.file("img"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, dir.file("img"));
  EXPECT_HAS(msg, "truncated");
  EXPECT_HAS(msg, "3 images");
  // Truncated in the header.
  test::write_bytes(dir.file("short"), {0, 0, 8});
  msg = error_of([&] { read_mnist_files(dir.file("short"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, "truncated");
  EXPECT_HAS(msg, "magic");
  // A truncated gzip stream (cut in the middle of the compressed data).
  test::write_gz(dir.file("full.gz"), test::idx_images(50));
  std::ifstream in(dir.file("full.gz"), std::ios::binary);
  std::vector<uint8_t> gz((std::istreambuf_iterator<char>(in)), {});
  gz.resize(gz.size() / 2);
  test::write_bytes(dir.file("cut.gz"), gz);
  msg = error_of([&] { read_mnist_files(dir.file("cut.gz"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, dir.file("cut.gz"));
  // Corrupt gzip data: flip bytes in the middle of the deflate stream.
  std::vector<uint8_t> bad((std::istreambuf_iterator<char>(std::ifstream(dir.file("full.gz"), std::ios::binary).rdbuf())), {});
  for (size_t i = 30; i < 60 && i < bad.size(); ++i) bad[i] ^= 0x5a;
  test::write_bytes(dir.file("bad.gz"), bad);
  msg = error_of([&] { read_mnist_files(dir.file("bad.gz"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, dir.file("bad.gz"));
}

TEST(MnistReader, InconsistentFilesAreErrors) {
  TempDir dir;
  test::write_bytes(dir.file("img"), test::idx_images(3));
  test::write_bytes(dir.file("lab2"), test::idx_labels({1, 2}));
  std::string msg = error_of([&] { read_mnist_files(dir.file("img"), dir.file("lab2"), "t"); });
  EXPECT_HAS(msg, "expected 3 labels");
  EXPECT_HAS(msg, "found 2");
  test::write_bytes(dir.file("lab"), test::idx_labels({1, 12, 3}));
  msg = error_of([&] { read_mnist_files(dir.file("img"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, "label 12 of image 1");
  test::write_bytes(dir.file("img32"), test::idx_images(3, 32, 32));
  msg = error_of([&] { read_mnist_files(dir.file("img32"), dir.file("lab2"), "t"); });
  EXPECT_HAS(msg, "expected 28x28 images, found 32x32");
  std::vector<uint8_t> extra = test::idx_images(3);
  extra.push_back(0);
  test::write_bytes(dir.file("extra"), extra);
  msg = error_of([&] { read_mnist_files(dir.file("extra"), dir.file("lab"), "t"); });
  EXPECT_HAS(msg, "1 unexpected trailing bytes");
}

TEST(MnistReader, MissingFilesListWhatWasTried) {
  TempDir dir;
  const std::string msg = error_of([&] { read_mnist(dir.path.string(), true); });
  EXPECT_HAS(msg, "train-images-idx3-ubyte.gz");
  EXPECT_HAS(msg, dir.file("train-images-idx3-ubyte"));
  // A valid but non-official count is rejected by read_mnist (not by read_mnist_files).
  test::write_bytes(dir.file("t10k-images-idx3-ubyte"), test::idx_images(3));
  test::write_gz(dir.file("t10k-labels-idx1-ubyte.gz"), test::idx_labels({1, 2, 3}));
  EXPECT_HAS(error_of([&] { read_mnist(dir.path.string(), false); }), "has 10000 images, found 3");
}

TEST(MnistReader, Sha256MismatchIsReported) {
  TempDir dir;
  // Official names with non-official content: verify_sha256 must catch it.
  test::write_bytes(dir.file("t10k-images-idx3-ubyte"), test::idx_images(3));
  test::write_bytes(dir.file("t10k-labels-idx1-ubyte"), test::idx_labels({1, 2, 3}));
  EXPECT_NO_THROW(read_mnist_files(dir.file("t10k-images-idx3-ubyte"), dir.file("t10k-labels-idx1-ubyte"), "t"));
  const std::string msg = error_of([&] {
    read_mnist_files(dir.file("t10k-images-idx3-ubyte"), dir.file("t10k-labels-idx1-ubyte"), "t", true);
  });
  EXPECT_HAS(msg, "SHA-256 mismatch");
  EXPECT_HAS(msg, known_sha256("mnist/t10k-images-idx3-ubyte"));
}

TEST(DataDir, SearchOrderAndErrors) {
  TempDir dir;
  std::filesystem::create_directories(dir.path / "mnist");
  EXPECT_EQ(find_data_dir(DatasetKind::MNIST, dir.path.string()), dir.path.string());
  // An explicit flag is the only candidate.
  const std::string msg = error_of([&] { find_data_dir(DatasetKind::CIFAR10, dir.path.string()); });
  EXPECT_HAS(msg, (dir.path / "cifar10").string());
  EXPECT_HAS(msg, "--data-dir was given");
  // Environment variable next.
  ::setenv("DL_DATA_DIR", dir.path.string().c_str(), 1);
  EXPECT_EQ(data_dir_candidates()[0], dir.path.string());
  EXPECT_EQ(find_data_dir(DatasetKind::MNIST), dir.path.string());
  ::unsetenv("DL_DATA_DIR");
  const auto c = data_dir_candidates();
  ASSERT_GE(c.size(), 3u);
  EXPECT_EQ(c[0], "data");
  EXPECT_EQ(c[1], "../shared/data");
  // The library's own fallback: <source dir>/../shared/data.
  EXPECT_EQ(c.back(), std::string(DL_SOURCE_DIR) + "/../shared/data");
  if (std::filesystem::is_directory(std::string(DL_SOURCE_DIR) + "/../shared/data/mnist")) {
    EXPECT_NO_THROW(find_data_dir(DatasetKind::MNIST));
  }
}
