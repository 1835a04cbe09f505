// cpu_allocator.h - the CPU backend: a caching allocator of 64-byte aligned blocks.
//
// Why cache: a training step allocates the same activation sizes every step. glibc returns
// blocks over 32 MB to the OS on free, so without a cache every step page-faults its activations
// back in (expensive in VMs). Freed blocks are kept in per-size free lists and reused; sizes are
// rounded up so that near-equal requests share blocks.
#pragma once
#include <cstddef>

#include "tensor/device.h"

namespace dl {

DeviceBackend& cpu_backend();

struct CpuMemoryStats {
  size_t bytes_in_use = 0;     // handed out to live tensors
  size_t bytes_cached = 0;     // kept in free lists for reuse
  size_t peak_bytes_in_use = 0;
  size_t system_allocations = 0;  // times we asked the OS for memory
};
CpuMemoryStats cpu_memory_stats();

}  // namespace dl
