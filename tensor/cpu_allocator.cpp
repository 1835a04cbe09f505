#include "tensor/cpu_allocator.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <vector>

#include "tensor/error.h"

namespace dl {

namespace {

constexpr size_t kAlign = 64;  // a cache line, and an AVX-512 vector

// Round up so that blocks can be shared between close sizes: 64 B granularity below 1 MiB,
// then 1/8-octave steps (at most 12.5 % waste).
size_t round_size(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes < (1u << 20)) return (bytes + kAlign - 1) / kAlign * kAlign;
  size_t step = 1;
  while ((step << 4) <= bytes) step <<= 1;  // step = 2^(floor(log2 bytes) - 3)
  return (bytes + step - 1) / step * step;
}

class CpuBackend final : public DeviceBackend {
 public:
  void* allocate(size_t bytes) override {
    const size_t size = round_size(bytes);
    std::lock_guard<std::mutex> lock(mu_);
    auto& list = free_[size];
    void* p;
    if (!list.empty()) {
      p = list.back();
      list.pop_back();
      stats_.bytes_cached -= size;
    } else {
      p = std::aligned_alloc(kAlign, size);
      if (!p) {
        release_locked();  // give the cache back and try once more
        p = std::aligned_alloc(kAlign, size);
      }
      DL_CHECK(p != nullptr, "out of CPU memory: failed to allocate ", bytes, " bytes");
      ++stats_.system_allocations;
    }
    stats_.bytes_in_use += size;
    if (stats_.bytes_in_use > stats_.peak_bytes_in_use) stats_.peak_bytes_in_use = stats_.bytes_in_use;
    return p;
  }
  void deallocate(void* ptr, size_t bytes) override {
    if (!ptr) return;
    const size_t size = round_size(bytes);
    std::lock_guard<std::mutex> lock(mu_);
    free_[size].push_back(ptr);
    stats_.bytes_in_use -= size;
    stats_.bytes_cached += size;
  }
  void copy_to_host(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void copy_from_host(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void copy_within(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void set_zero(void* p, size_t n) override { std::memset(p, 0, n); }
  void release_cached() override {
    std::lock_guard<std::mutex> lock(mu_);
    release_locked();
  }
  CpuMemoryStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  void release_locked() {
    for (auto& [size, list] : free_)
      for (void* p : list) std::free(p);
    free_.clear();
    stats_.bytes_cached = 0;
  }
  std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;
  CpuMemoryStats stats_;
};

CpuBackend& instance() {
  // Leaked on purpose: tensors in static objects may be freed after main() returns.
  static CpuBackend* b = new CpuBackend();
  return *b;
}

}  // namespace

DeviceBackend& cpu_backend() { return instance(); }
CpuMemoryStats cpu_memory_stats() { return instance().stats(); }

}  // namespace dl
