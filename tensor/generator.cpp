#include "tensor/generator.h"

#include <cmath>

#include "tensor/philox.h"

namespace dl {

uint32_t Generator::next_u32() { return philox_draw(seed_, reserve(4), 0); }

float Generator::uniform() { return uint_to_unit_float(next_u32()); }

float Generator::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

int64_t Generator::randint(int64_t lo, int64_t hi) {
  const uint64_t range = static_cast<uint64_t>(hi - lo);
  if (range <= 1) return lo;
  // Rejection sampling on 64 bits removes the modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x;
  do {
    const uint64_t block = reserve(4);
    x = (static_cast<uint64_t>(philox_draw(seed_, block, 0)) << 32) | philox_draw(seed_, block, 1);
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % range);
}

float Generator::normal() {
  const uint64_t block = reserve(4);
  const float u1 = 1.0f - uint_to_unit_float(philox_draw(seed_, block, 0));  // (0, 1]
  const float u2 = uint_to_unit_float(philox_draw(seed_, block, 1));
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.2831853071795864f * u2);
}

Generator& default_generator() {
  static Generator g(0);
  return g;
}

void manual_seed(uint64_t seed) { default_generator().set_state(seed, 0); }

}  // namespace dl
