// test_cifar10.cpp - the CIFAR-10 binary reader on the real batches (1000/5000 per class,
// channel means from shared/data/README.md) and on small record files written here.
#include <gtest/gtest.h>
#include <unistd.h>

#include "data/sha256.h"
#include "data_fixtures.h"
#include "tensor/error.h"

using namespace dl;
using namespace dl::data;
using dl::test::error_of;
using dl::test::TempDir;

#define EXPECT_HAS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << (msg)

namespace {
// n records; record r: label labels[r], pixel k = (r + k) & 255.
std::vector<uint8_t> cifar_records(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b;
  for (size_t r = 0; r < labels.size(); ++r) {
    b.push_back(labels[r]);
    for (int k = 0; k < 3072; ++k) b.push_back(static_cast<uint8_t>((r + k) & 255));
  }
  return b;
}
}  // namespace

TEST(Cifar10Reader, RealTestSet) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::CIFAR10);
  const Dataset& d = test::cached_official(DatasetKind::CIFAR10, false);
  EXPECT_EQ(d.size(), 10000);
  EXPECT_EQ(d.channels, 3);
  EXPECT_EQ(d.height, 32);
  EXPECT_EQ(d.width, 32);
  EXPECT_NO_THROW(d.validate());
  EXPECT_EQ(d.label_histogram(), std::vector<int64_t>(10, 1000));
  EXPECT_EQ(d.class_names[3], "cat");
  EXPECT_EQ(d.labels[0], 3);  // the first test image is a cat
}

TEST(Cifar10Reader, RealTrainSet) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::CIFAR10);
  const Dataset& d = test::cached_official(DatasetKind::CIFAR10, true);
  EXPECT_EQ(d.size(), 50000);
  EXPECT_EQ(d.label_histogram(), std::vector<int64_t>(10, 5000));
  EXPECT_EQ(d.source_indices[49999], 49999);
  EXPECT_EQ(d.labels[0], 6);  // frog
  // Channel means of x/255 (README): 0.4914 0.4822 0.4465 - checks the CHW plane order.
  const double expected[3] = {0.4914, 0.4822, 0.4465};
  for (int c = 0; c < 3; ++c) {
    double sum = 0;
    for (int64_t i = 0; i < d.size(); ++i) {
      const uint8_t* p = d.image(i) + c * 1024;
      for (int k = 0; k < 1024; ++k) sum += p[k];
    }
    EXPECT_NEAR(sum / (d.size() * 1024.0) / 255.0, expected[c], 5e-4) << "channel " << c;
  }
}

TEST(Cifar10Reader, Sha256OfMetaFile) {
  DL_REQUIRE_SHARED_DATA(DatasetKind::CIFAR10);
  EXPECT_EQ(sha256_file(test::shared_data_dir() + "/cifar10/batches.meta.txt"), known_sha256("cifar10/batches.meta.txt"));
}

TEST(Cifar10Reader, TinyFilesPlainAndGzipped) {
  TempDir dir;
  test::write_bytes(dir.file("a.bin"), cifar_records({1, 2}));
  test::write_gz(dir.file("b.bin.gz"), cifar_records({9}));
  const Dataset d = read_cifar10_files({dir.file("a.bin"), dir.file("b.bin.gz")}, "tiny");
  ASSERT_EQ(d.size(), 3);
  EXPECT_EQ(d.labels, (std::vector<int32_t>{1, 2, 9}));
  EXPECT_EQ(d.image(1)[0], 1);  // record 1 of a.bin, pixel 0
  EXPECT_EQ(d.image(1)[1024], (1 + 1024) & 255);  // green plane
  EXPECT_EQ(d.image(2)[7], 7);  // record 0 of b.bin.gz
  EXPECT_EQ(d.source_indices, (std::vector<int32_t>{0, 1, 2}));
  // Enough records to cross the reader's 1024-record chunks.
  std::vector<uint8_t> many(2500);
  for (size_t i = 0; i < many.size(); ++i) many[i] = i % 10;
  test::write_gz(dir.file("many.bin.gz"), cifar_records(many));
  const Dataset m = read_cifar10_files({dir.file("many.bin.gz")}, "many", 2500);
  ASSERT_EQ(m.size(), 2500);
  EXPECT_EQ(m.labels[2049], 9);
  EXPECT_EQ(m.image(2049)[3], (2049 + 3) & 255);
}

TEST(Cifar10Reader, BadLabelIsAnError) {
  TempDir dir;
  test::write_bytes(dir.file("bad.bin"), cifar_records({1, 10, 2}));
  const std::string msg = error_of([&] { read_cifar10_files({dir.file("bad.bin")}, "t"); });
  EXPECT_HAS(msg, dir.file("bad.bin"));
  EXPECT_HAS(msg, "label 10 of record 1");
  EXPECT_HAS(msg, "byte offset 3073");
}

TEST(Cifar10Reader, TruncatedAndWrongCountAreErrors) {
  TempDir dir;
  std::vector<uint8_t> rec = cifar_records({1, 2});
  rec.resize(rec.size() - 5);
  test::write_gz(dir.file("cut.bin.gz"), rec);
  std::string msg = error_of([&] { read_cifar10_files({dir.file("cut.bin.gz")}, "t", 2); });
  EXPECT_HAS(msg, dir.file("cut.bin.gz"));
  EXPECT_HAS(msg, "truncated: 6141 bytes is not a whole number of 3073-byte records");
  EXPECT_HAS(msg, "expected 2 records = 6146 bytes");
  test::write_bytes(dir.file("one.bin"), cifar_records({4}));
  msg = error_of([&] { read_cifar10_files({dir.file("one.bin")}, "t", 10000); });
  EXPECT_HAS(msg, "expected 10000 records (30730000 bytes), found 1 (3073 bytes)");
  test::write_bytes(dir.file("empty.bin"), {});
  EXPECT_HAS(error_of([&] { read_cifar10_files({dir.file("empty.bin")}, "t"); }), "empty");
}

TEST(Cifar10Reader, MissingBatchIsNamed) {
  TempDir dir;
  for (int b = 1; b <= 4; ++b) test::write_bytes(dir.file("data_batch_" + std::to_string(b) + ".bin"), cifar_records({0}));
  const std::string msg = error_of([&] { read_cifar10(dir.path.string(), true); });
  EXPECT_HAS(msg, "data_batch_5.bin.gz");
  EXPECT_HAS(msg, "missing data file");
}
