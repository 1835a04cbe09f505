// test_loader.cpp - the batch loader: bitwise determinism across thread counts and runs,
// batch counts with/without drop_last, every index once per epoch, bounded prefetch, error
// propagation and shutdown mid-epoch. Uses simple transforms defined here (the real ones,
// data/transforms.cpp, are tested in test_transforms.cpp), so these tests stay fast.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <set>
#include <thread>

#include "data/loader.h"
#include "tensor/error.h"

using namespace dl;
using namespace dl::data;

namespace {

constexpr int kOut = 3 * 32 * 32;

// N CIFAR-shaped images: pixel k of image i = (i * 31 + k) & 255, label i % 10.
std::shared_ptr<Dataset> synthetic(int64_t n) {
  auto d = std::make_shared<Dataset>();
  d->kind = DatasetKind::CIFAR10, d->name = "synthetic";
  d->channels = 3, d->height = 32, d->width = 32;
  for (int c = 0; c < 10; ++c) d->class_names.push_back(std::string(1, static_cast<char>('a' + c)));
  d->images.resize(n * kOut);
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < kOut; ++k) d->images[i * kOut + k] = static_cast<uint8_t>((i * 31 + k) & 255);
    d->labels.push_back(static_cast<int32_t>(i % 10));
    d->source_indices.push_back(static_cast<int32_t>(i));
  }
  return d;
}

void test_clean(DatasetKind, const uint8_t* src, float* dst) {
  for (int k = 0; k < kOut; ++k) dst[k] = src[k] / 255.0f;
}

// Every value depends on the generator, so any change of stream shows up.
void test_view(DatasetKind, const uint8_t* src, float* dst, Generator& rng, const AugmentConfig& cfg) {
  const float a = rng.uniform(), b = rng.normal();
  const bool flip = rng.uniform() < cfg.flip_p;
  for (int k = 0; k < kOut; ++k) dst[k] = src[flip ? kOut - 1 - k : k] * a + b;
}

Transforms test_transforms() { return Transforms{test_clean, test_view, kOut}; }

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.shape() == b.shape() && std::memcmp(a.impl()->storage->data, b.impl()->storage->data, a.nbytes()) == 0 &&
         a.impl()->offset == 0 && b.impl()->offset == 0;
}

std::vector<Batch> run_epochs(std::shared_ptr<Dataset> d, LoaderConfig cfg, int epochs) {
  Loader loader(d, cfg, test_transforms());
  std::vector<Batch> all;
  for (int e = 0; e < epochs; ++e) {
    loader.start_epoch(e);
    Batch b;
    while (loader.next(b)) all.push_back(b);
  }
  return all;
}

}  // namespace

TEST(Loader, SameSeedSameBatchesWhateverTheThreadCount) {
  auto d = synthetic(103);
  LoaderConfig cfg;
  cfg.batch_size = 16, cfg.seed = 7;
  cfg.num_threads = 1;
  const std::vector<Batch> ref = run_epochs(d, cfg, 2);
  ASSERT_EQ(ref.size(), 14u);  // 7 batches per epoch
  for (int threads : {0, 1, 2, 4}) {
    cfg.num_threads = threads;
    cfg.prefetch = threads == 4 ? 2 : 4;
    const std::vector<Batch> got = run_epochs(d, cfg, 2);
    ASSERT_EQ(got.size(), ref.size()) << threads << " threads";
    for (size_t i = 0; i < ref.size(); ++i) {
      EXPECT_EQ(got[i].indices, ref[i].indices) << "batch " << i << ", " << threads << " threads";
      EXPECT_TRUE(same_bits(got[i].clean, ref[i].clean)) << "batch " << i;
      EXPECT_TRUE(same_bits(got[i].view1, ref[i].view1)) << "batch " << i;
      EXPECT_TRUE(same_bits(got[i].view2, ref[i].view2)) << "batch " << i;
      EXPECT_TRUE(same_bits(got[i].labels, ref[i].labels)) << "batch " << i;
    }
  }
  // Epochs differ from each other, and the two views of a sample differ.
  EXPECT_NE(ref[0].indices, ref[7].indices);
  EXPECT_FALSE(same_bits(ref[0].view1, ref[0].view2));
  // Another seed gives another order.
  cfg.seed = 8;
  EXPECT_NE(run_epochs(d, cfg, 1)[0].indices, ref[0].indices);
}

TEST(Loader, ViewsDependOnSampleNotBatchPosition) {
  // The same (seed, epoch, sample) gives the same views whatever the batch size.
  auto d = synthetic(40);
  LoaderConfig cfg;
  cfg.seed = 3, cfg.num_threads = 2;
  cfg.batch_size = 40;
  const Batch whole = run_epochs(d, cfg, 1)[0];
  cfg.batch_size = 7;
  const std::vector<Batch> parts = run_epochs(d, cfg, 1);
  int64_t pos = 0;
  for (const Batch& b : parts)
    for (int64_t k = 0; k < b.size(); ++k, ++pos) {
      ASSERT_EQ(b.indices[k], whole.indices[pos]);  // the order does not depend on batch size either
      EXPECT_EQ(0, std::memcmp(b.view1.data() + k * kOut, whole.view1.data() + pos * kOut, kOut * 4)) << pos;
      EXPECT_EQ(0, std::memcmp(b.view2.data() + k * kOut, whole.view2.data() + pos * kOut, kOut * 4)) << pos;
    }
  EXPECT_EQ(pos, 40);
}

TEST(Loader, EveryIndexOncePerEpochAndContentsMatch) {
  auto d = synthetic(103);
  LoaderConfig cfg;
  cfg.batch_size = 10, cfg.seed = 1, cfg.num_threads = 2;
  Loader loader(d, cfg, test_transforms());
  std::vector<float> expect(kOut);
  for (int e = 0; e < 2; ++e) {
    loader.start_epoch(e);
    std::multiset<int32_t> seen;
    Batch b;
    int64_t count = 0;
    while (loader.next(b)) {
      EXPECT_EQ(b.index, count++);
      EXPECT_EQ(b.epoch, e);
      EXPECT_EQ(b.clean.shape(), (Shape{b.size(), 3, 32, 32}));
      EXPECT_EQ(b.view1.shape(), b.clean.shape());
      EXPECT_EQ(b.labels.shape(), (Shape{b.size()}));
      EXPECT_EQ(b.labels.dtype(), DType::I32);
      for (int64_t k = 0; k < b.size(); ++k) {
        const int32_t i = b.indices[k];
        seen.insert(i);
        EXPECT_EQ(b.labels.data_i32()[k], d->labels[i]);
        test_clean(d->kind, d->image(i), expect.data());
        EXPECT_EQ(0, std::memcmp(expect.data(), b.clean.data() + k * kOut, kOut * 4)) << "sample " << i;
      }
    }
    EXPECT_EQ(count, 11);
    EXPECT_EQ(seen.size(), 103u);
    EXPECT_EQ(std::set<int32_t>(seen.begin(), seen.end()).size(), 103u) << "an index appeared twice";
    EXPECT_FALSE(loader.next(b));  // stays finished
  }
}

TEST(Loader, DropLastAndNoShuffle) {
  auto d = synthetic(103);
  LoaderConfig cfg;
  cfg.batch_size = 10, cfg.num_threads = 1;
  std::vector<Batch> keep = run_epochs(d, cfg, 1);
  ASSERT_EQ(keep.size(), 11u);
  EXPECT_EQ(keep.back().size(), 3);
  EXPECT_EQ(keep.back().clean.shape(), (Shape{3, 3, 32, 32}));
  cfg.drop_last = true;
  std::vector<Batch> drop = run_epochs(d, cfg, 1);
  ASSERT_EQ(drop.size(), 10u);
  for (const Batch& b : drop) EXPECT_EQ(b.size(), 10);
  EXPECT_EQ(Loader(d, cfg, test_transforms()).num_batches(), 10);
  // The reference's sizes: 49,000 / 256 -> 192 batches (the last of 104); 59,000 / 256 -> 231 (120).
  auto count = [](int64_t n, bool drop) {
    auto big = synthetic(1);
    big->images.resize(n * kOut), big->labels.assign(n, 0), big->source_indices.assign(n, 0);
    LoaderConfig c;
    c.drop_last = drop;
    return Loader(big, c, test_transforms()).num_batches();
  };
  EXPECT_EQ(count(49000, false), 192);
  EXPECT_EQ(count(49000, true), 191);
  EXPECT_EQ(count(59000, false), 231);
  cfg.shuffle = false, cfg.drop_last = false, cfg.views = false;
  const std::vector<Batch> plain = run_epochs(d, cfg, 1);
  for (size_t b = 0; b < plain.size(); ++b) {
    EXPECT_EQ(plain[b].indices[0], static_cast<int32_t>(b * 10));  // dataset order
    EXPECT_FALSE(plain[b].view1.defined());
    EXPECT_FALSE(plain[b].view2.defined());
  }
}

TEST(Loader, PrefetchIsBounded) {
  auto d = synthetic(64);
  std::atomic<int> calls{0};
  Transforms t = test_transforms();
  t.clean = [&](DatasetKind k, const uint8_t* s, float* o) { ++calls, test_clean(k, s, o); };
  LoaderConfig cfg;
  cfg.batch_size = 4, cfg.prefetch = 2, cfg.num_threads = 4, cfg.views = false;
  Loader loader(d, cfg, t);
  loader.start_epoch(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LE(calls.load(), 2 * 4) << "more than `prefetch` batches built ahead";
  Batch b;
  ASSERT_TRUE(loader.next(b));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LE(calls.load(), 3 * 4);
}

TEST(Loader, WorkerErrorsReachTheCaller) {
  auto d = synthetic(50);
  Transforms t = test_transforms();
  t.clean = [](DatasetKind k, const uint8_t* s, float* o) {
    if (s[0] == ((33 * 31) & 255)) DL_FAIL("bad image 33");
    test_clean(k, s, o);
  };
  LoaderConfig cfg;
  cfg.batch_size = 8, cfg.shuffle = false, cfg.num_threads = 2;
  Loader loader(d, cfg, t);
  loader.start_epoch(0);
  Batch b;
  int got = 0;
  try {
    while (loader.next(b)) ++got;
    FAIL() << "expected the worker's error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad image 33"), std::string::npos);
  }
  EXPECT_EQ(got, 4);  // batches 0..3 are fine, batch 4 holds image 33
}

TEST(Loader, ShutdownMidEpochAndRestart) {
  auto d = synthetic(200);
  Transforms t = test_transforms();
  t.clean = [](DatasetKind k, const uint8_t* s, float* o) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    test_clean(k, s, o);
  };
  LoaderConfig cfg;
  cfg.batch_size = 10, cfg.num_threads = 3;
  {
    Loader loader(d, cfg, t);
    loader.start_epoch(0);
    Batch b;
    ASSERT_TRUE(loader.next(b));
    loader.start_epoch(1);  // abandons epoch 0 mid-way
    ASSERT_TRUE(loader.next(b));
    EXPECT_EQ(b.epoch, 1);
    EXPECT_EQ(b.index, 0);
  }  // destroyed with workers busy: must join, not hang or crash
  Loader never_started(d, cfg, t);
  Batch b;
  EXPECT_THROW(never_started.next(b), Error);
}

TEST(Loader, BadConfigIsAnError) {
  auto d = synthetic(5);
  LoaderConfig cfg;
  cfg.batch_size = 0;
  EXPECT_THROW(Loader(d, cfg, test_transforms()), Error);
  cfg.batch_size = 2, cfg.prefetch = 0;
  EXPECT_THROW(Loader(d, cfg, test_transforms()), Error);
  d->labels[0] = 10;  // out of range
  cfg.prefetch = 2;
  EXPECT_THROW(Loader(d, cfg, test_transforms()), Error);
}

TEST(CleanBatch, InDatasetOrder) {
  auto d = synthetic(30);
  const Batch b = clean_batch(*d, 10, 25, test_clean, kOut);
  ASSERT_EQ(b.size(), 15);
  EXPECT_EQ(b.clean.shape(), (Shape{15, 3, 32, 32}));
  std::vector<float> expect(kOut);
  for (int64_t k = 0; k < 15; ++k) {
    EXPECT_EQ(b.indices[k], 10 + k);
    EXPECT_EQ(b.labels.data_i32()[k], d->labels[10 + k]);
    test_clean(d->kind, d->image(10 + k), expect.data());
    EXPECT_EQ(0, std::memcmp(expect.data(), b.clean.data() + k * kOut, kOut * 4));
  }
  EXPECT_THROW(clean_batch(*d, 25, 31, test_clean, kOut), Error);
}

// With the real transforms (data/transforms.cpp, merged from branch data-augment): the default
// Transforms, both dataset kinds, determinism across thread counts, finite (B, 3, 32, 32) output.
#if __has_include("data/transforms.h")
TEST(Loader, RealTransformsDeterministic) {
  for (DatasetKind kind : {DatasetKind::CIFAR10, DatasetKind::MNIST}) {
    auto d = synthetic(24);
    if (kind == DatasetKind::MNIST) {  // 1x28x28 images with the same labels
      d->kind = kind, d->channels = 1, d->height = 28, d->width = 28;
      d->images.resize(d->size() * 28 * 28);
    }
    LoaderConfig cfg;
    cfg.batch_size = 10, cfg.seed = 5;
    std::vector<std::vector<Batch>> runs;
    for (int threads : {0, 2}) {
      cfg.num_threads = threads;
      Loader loader(d, cfg);  // default transforms: clean_transform, simclr_view
      loader.start_epoch(3);
      std::vector<Batch> bs;
      Batch b;
      while (loader.next(b)) bs.push_back(b);
      runs.push_back(bs);
    }
    ASSERT_EQ(runs[0].size(), 3u);
    for (size_t i = 0; i < runs[0].size(); ++i) {
      const Batch &a = runs[0][i], &b = runs[1][i];
      EXPECT_EQ(a.view1.shape(), (Shape{a.size(), 3, 32, 32}));
      EXPECT_TRUE(same_bits(a.clean, b.clean) && same_bits(a.view1, b.view1) && same_bits(a.view2, b.view2))
          << dataset_name(kind) << " batch " << i;
      EXPECT_FALSE(same_bits(a.view1, a.view2));
      for (float v : a.view1.to_vector()) ASSERT_TRUE(std::isfinite(v));
    }
    const Batch eval = clean_batch(*d, 0, 24);  // default clean_transform
    EXPECT_EQ(0, std::memcmp(eval.clean.data() + runs[0][0].indices[0] * kOut, runs[0][0].clean.data(), kOut * 4));
  }
}
#endif
