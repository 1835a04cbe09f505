// philox.h - Philox4x32-10, the counter-based generator of Salmon et al. (SC'11), as in
// Random123 and cuRAND. Output = f(key, counter): no hidden state, so any element of a random
// stream can be computed independently, on the CPU or in a CUDA thread, with the same result.
// Header-only and usable from device code.
#pragma once
#include <cstdint>

#include "tensor/host_device.h"

namespace dl {

struct Philox4x32 {
  uint32_t v[4];
};

DL_HOST_DEVICE inline void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

// Ten rounds of the Philox S-P network on a 128-bit counter with a 64-bit key.
DL_HOST_DEVICE inline Philox4x32 philox4x32_10(Philox4x32 ctr, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(0xD2511F53u, ctr.v[0], hi0, lo0);
    philox_mulhilo(0xCD9E8D57u, ctr.v[2], hi1, lo1);
    ctr = Philox4x32{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    k0 += 0x9E3779B9u;  // the Weyl key schedule
    k1 += 0xBB67AE85u;
  }
  return ctr;
}

// uint32 -> float in [0, 1): the top 24 bits, so every value is exactly representable.
DL_HOST_DEVICE inline float uint_to_unit_float(uint32_t x) { return (x >> 8) * (1.0f / 16777216.0f); }

// The i-th 32-bit draw of the stream (seed, offset): block (offset + i/4), lane i%4.
// Element i of a random tensor is always draw i, whatever the device or thread count.
DL_HOST_DEVICE inline uint32_t philox_draw(uint64_t seed, uint64_t offset, uint64_t i) {
  const uint64_t block = offset + i / 4;
  const Philox4x32 out = philox4x32_10(
      Philox4x32{{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0u, 0u}},
      static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
  return out.v[i % 4];
}

}  // namespace dl
