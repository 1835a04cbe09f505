// generator.h - a seeded random stream over Philox. The state is just (seed, offset): the number
// of 128-bit Philox blocks consumed so far. Saving those two integers in a checkpoint restores
// the stream exactly.
#pragma once
#include <cstdint>

namespace dl {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : seed_(seed) {}

  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) { seed_ = seed, offset_ = offset; }

  // Reserve n 32-bit draws; returns the block offset where they start (for a kernel to use).
  uint64_t reserve(uint64_t n) {
    const uint64_t start = offset_;
    offset_ += (n + 3) / 4;
    return start;
  }

  // Scalar conveniences for host code (augmentations, shuffling): one block per call.
  uint32_t next_u32();
  float uniform();                        // [0, 1)
  float uniform(float lo, float hi);      // [lo, hi)
  int64_t randint(int64_t lo, int64_t hi);  // [lo, hi), unbiased
  float normal();                         // N(0, 1)

 private:
  uint64_t seed_ = 0;
  uint64_t offset_ = 0;
};

// A global generator for code that is not handed one (parameter initialization by default).
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace dl
