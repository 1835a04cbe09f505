// loader.cpp - the threaded, deterministic batch loader (see loader.h).
//
// Workers claim batch indices in order (next_claim_), never more than `prefetch` ahead of the
// consumer (next_yield_), build the batch without holding the lock, and park it in ready_;
// next() hands batches out strictly in order. A batch's content depends only on
// (seed, epoch, batch index), never on which thread built it or when.
#include "data/loader.h"

#include <algorithm>

#include "tensor/error.h"

namespace dl::data {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

Tensor image_batch(int64_t b, int out_elems) {
  if (out_elems == kOutElems) return Tensor::empty({b, kOutChannels, kOutSize, kOutSize});
  return Tensor::empty({b, out_elems});
}

}  // namespace

uint64_t loader_stream_key(uint64_t seed, int64_t epoch, uint64_t stream) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(epoch)) ^ stream);
}

Loader::Loader(std::shared_ptr<const Dataset> dataset, LoaderConfig config, Transforms transforms)
    : dataset_(std::move(dataset)), config_(std::move(config)), transforms_(std::move(transforms)) {
  DL_CHECK(dataset_ != nullptr, "Loader: no dataset");
  dataset_->validate();
  DL_CHECK(dataset_->size() > 0, "Loader: dataset '", dataset_->name, "' is empty");
  DL_CHECK(config_.batch_size > 0, "Loader: batch_size must be positive, got ", config_.batch_size);
  DL_CHECK(config_.num_threads >= 0, "Loader: num_threads must be >= 0, got ", config_.num_threads);
  DL_CHECK(config_.prefetch >= 1, "Loader: prefetch must be >= 1, got ", config_.prefetch);
  DL_CHECK(transforms_.clean, "Loader: no clean transform");
  DL_CHECK(!config_.views || transforms_.view, "Loader: views requested but no view transform");
  DL_CHECK(transforms_.out_elems > 0, "Loader: out_elems must be positive");
  DL_CHECK(dataset_->size() <= (int64_t(1) << (64 - kSampleOffsetShift - 1)), "Loader: dataset too large");
}

Loader::~Loader() { stop_workers(); }

int64_t Loader::num_batches() const {
  const int64_t n = dataset_->size(), b = config_.batch_size;
  return config_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int32_t> Loader::epoch_order(int64_t epoch) const {
  std::vector<int32_t> order(dataset_->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  if (!config_.shuffle) return order;
  // Fisher-Yates from the back, as torch.randperm's algorithm family; unbiased draws via randint.
  Generator g(loader_stream_key(config_.seed, epoch, 0));
  for (int64_t i = static_cast<int64_t>(order.size()) - 1; i > 0; --i) std::swap(order[i], order[g.randint(0, i + 1)]);
  return order;
}

Batch Loader::make_batch(int64_t epoch, int64_t b) const {
  const Dataset& d = *dataset_;
  const int64_t begin = b * config_.batch_size;
  const int64_t end = std::min<int64_t>(begin + config_.batch_size, d.size());
  const int64_t n = end - begin;
  const int oe = transforms_.out_elems;
  Batch out;
  out.epoch = epoch, out.index = b;
  out.indices.assign(order_.begin() + begin, order_.begin() + end);
  out.clean = image_batch(n, oe);
  out.labels = Tensor::empty({n}, DType::I32);
  if (config_.views) out.view1 = image_batch(n, oe), out.view2 = image_batch(n, oe);
  const uint64_t key = loader_stream_key(config_.seed, epoch, 1);
  for (int64_t k = 0; k < n; ++k) {
    const int32_t i = out.indices[k];
    out.labels.data_i32()[k] = d.labels[i];
    transforms_.clean(d.kind, d.image(i), out.clean.data() + k * oe);
    if (config_.views) {
      // This sample's own stream: the same (seed, epoch, index) gives the same two views.
      Generator g(key);
      g.set_state(key, static_cast<uint64_t>(i) << kSampleOffsetShift);
      transforms_.view(d.kind, d.image(i), out.view1.data() + k * oe, g, config_.augment);
      transforms_.view(d.kind, d.image(i), out.view2.data() + k * oe, g, config_.augment);
    }
  }
  return out;
}

void Loader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  stop_ = false;
}

void Loader::start_epoch(int64_t epoch, int64_t first_batch) {
  DL_CHECK(first_batch >= 0 && first_batch <= num_batches(), "Loader::start_epoch: batch ", first_batch,
           " outside [0, ", num_batches(), "]");
  stop_workers();
  order_ = epoch_order(epoch);  // workers are stopped: no one reads order_ now
  epoch_ = epoch;
  next_claim_ = next_yield_ = first_batch;
  ready_.clear();
  error_ = nullptr;
  error_batch_ = -1;
  for (int t = 0; t < config_.num_threads; ++t) workers_.emplace_back([this] { worker_loop(); });
}

void Loader::worker_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  const int64_t total = num_batches();
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || error_ || next_claim_ >= total || next_claim_ < next_yield_ + config_.prefetch; });
    if (stop_ || next_claim_ >= total || error_) return;
    const int64_t b = next_claim_++;
    lock.unlock();
    Batch batch;
    std::exception_ptr err;
    try {
      batch = make_batch(epoch_, b);
    } catch (...) {
      err = std::current_exception();
    }
    lock.lock();
    // Keep the error of the earliest failing batch; batches before it are still delivered.
    if (err && (!error_ || b < error_batch_)) error_ = err, error_batch_ = b;
    if (!err) ready_.emplace(b, std::move(batch));
    cv_.notify_all();
    if (error_) return;
  }
}

bool Loader::next(Batch& out) {
  DL_CHECK(epoch_ >= 0, "Loader::next: call start_epoch(epoch) first");
  if (next_yield_ >= num_batches()) return false;
  if (config_.num_threads == 0) {
    out = make_batch(epoch_, next_yield_++);
    return true;
  }
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return ready_.count(next_yield_) > 0 || (error_ && next_yield_ >= error_batch_); });
  if (ready_.count(next_yield_) == 0) std::rethrow_exception(error_);
  auto it = ready_.find(next_yield_);
  out = std::move(it->second);
  ready_.erase(it);
  ++next_yield_;
  lock.unlock();
  cv_.notify_all();  // room for one more batch
  return true;
}

Batch clean_batch(const Dataset& d, int64_t begin, int64_t end, const CleanFn& clean, int out_elems) {
  DL_CHECK(0 <= begin && begin < end && end <= d.size(), "clean_batch: range [", begin, ", ", end, ") outside ",
           d.name, " of size ", d.size());
  const int64_t n = end - begin;
  Batch out;
  out.index = begin;
  out.clean = image_batch(n, out_elems);
  out.labels = Tensor::empty({n}, DType::I32);
  out.indices.resize(n);
  float* dst = out.clean.data();
  int32_t* labels = out.labels.data_i32();
#pragma omp parallel for schedule(static)
  for (int64_t k = 0; k < n; ++k) {
    out.indices[k] = static_cast<int32_t>(begin + k);
    labels[k] = d.labels[begin + k];
    clean(d.kind, d.image(begin + k), dst + k * out_elems);
  }
  return out;
}

}  // namespace dl::data
