// loader.h - batches for training: per-epoch seeded shuffling, the per-image transforms of
// data/pipeline.h run on worker threads, and a bounded queue of ready batches (prefetch) so a
// training step does not wait for augmentation.
//
// Determinism: the epoch's order is a Fisher-Yates shuffle driven by a Philox stream keyed by
// (seed, epoch); each sample's augmentation draws from its own Philox stream keyed by
// (seed, epoch) at a block offset derived from the sample's dataset index. No generator is
// shared between threads, so the same seed gives bitwise the same batches for any thread count.
//
// Usage:
//   Loader loader(std::make_shared<Dataset>(std::move(train)), {.batch_size = 256, .seed = 1});
//   for (int64_t epoch = 0; epoch < E; ++epoch) {
//     loader.start_epoch(epoch);
//     Batch b;
//     while (loader.next(b)) { ... b.clean, b.view1, b.view2, b.labels ... }
//   }
// For evaluation / feature extraction in dataset order, without augmentation: clean_batch().
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "data/dataset.h"
#include "data/pipeline.h"
#include "tensor/tensor.h"

namespace dl::data {

// The per-image transforms (signatures of data/pipeline.h). Defaults: the real pipeline.
using CleanFn = std::function<void(DatasetKind, const uint8_t* src, float* dst)>;
using ViewFn = std::function<void(DatasetKind, const uint8_t* src, float* dst, Generator& rng, const AugmentConfig&)>;
struct Transforms {
  CleanFn clean = clean_transform;
  ViewFn view = simclr_view;
  int out_elems = kOutElems;  // floats per output image; shape (3, 32, 32) when 3072
};

struct LoaderConfig {
  int64_t batch_size = 256;
  bool shuffle = true;
  bool drop_last = false;  // the reference keeps the last, smaller batch
  bool views = true;       // make view1/view2 (only SimCLR's loss uses them)
  int num_threads = 2;     // worker threads; 0 = build each batch in next() on the caller's thread
  int prefetch = 4;        // ready (or in-progress) batches allowed ahead of the consumer
  uint64_t seed = 0;
  AugmentConfig augment;
};

struct Batch {
  int64_t epoch = 0, index = 0;  // which batch of which epoch
  Tensor clean;                  // (B, 3, 32, 32) float32
  Tensor view1, view2;           // (B, 3, 32, 32), undefined unless config.views
  Tensor labels;                 // (B,) int32
  std::vector<int32_t> indices;  // (B,) positions in the dataset
  int64_t size() const { return static_cast<int64_t>(indices.size()); }
};

class Loader {
 public:
  Loader(std::shared_ptr<const Dataset> dataset, LoaderConfig config, Transforms transforms = Transforms());
  ~Loader();  // stops and joins the workers, also mid-epoch
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  int64_t num_batches() const;  // per epoch
  const Dataset& dataset() const { return *dataset_; }
  const LoaderConfig& config() const { return config_; }

  // Begins an epoch (abandoning any unfinished one) at batch `first_batch` (a resumed epoch
  // skips the batches already trained; the others are the same as from 0); workers start
  // filling the queue.
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  // The next batch of the epoch, in order; false when the epoch is done. A worker's exception is
  // rethrown when the batch it was building is due (earlier batches are delivered first).
  bool next(Batch& out);

  // The sample order of an epoch (a permutation of [0, N) when shuffling, else the identity).
  std::vector<int32_t> epoch_order(int64_t epoch) const;

 private:
  Batch make_batch(int64_t epoch, int64_t b) const;
  void worker_loop();
  void stop_workers();

  std::shared_ptr<const Dataset> dataset_;
  LoaderConfig config_;
  Transforms transforms_;

  // Epoch state, shared with the workers under mu_.
  std::mutex mu_;
  std::condition_variable cv_;  // workers wait for room; the consumer waits for its batch
  int64_t epoch_ = -1;
  std::vector<int32_t> order_;
  int64_t next_claim_ = 0;  // next batch index a worker may build
  int64_t next_yield_ = 0;  // next batch index next() returns
  std::map<int64_t, Batch> ready_;
  std::exception_ptr error_;  // the first failing batch's exception, rethrown when that batch is due
  int64_t error_batch_ = -1;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

// Images [begin, end) of `d` in order, clean transform only (no randomness): clean and labels
// filled, views undefined. For validation and feature extraction; images run in parallel (OpenMP).
Batch clean_batch(const Dataset& d, int64_t begin, int64_t end, const CleanFn& clean = clean_transform,
                  int out_elems = kOutElems);

// The Philox key for (seed, epoch, stream): splitmix64 mixing, so nearby seeds/epochs give
// unrelated streams. Stream 0 shuffles, stream 1 augments.
uint64_t loader_stream_key(uint64_t seed, int64_t epoch, uint64_t stream);
// Block offset of a sample's augmentation stream: index << 24 (16M blocks = 64M draws per sample).
constexpr int kSampleOffsetShift = 24;

}  // namespace dl::data
