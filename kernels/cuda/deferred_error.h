// deferred_error.h - an error a CUDA kernel finds in its inputs, reported by the host later.
//
// A kernel cannot throw, and checking its inputs on the host first would copy them back: one
// synchronization per call, inside every training step (cross_entropy's labels did this). So the
// kernel leaves the bad element alone (it never reads out of bounds; the result there is NaN) and
// records the problem in one small device-side slot. The CUDA backend copies the slot back beside
// every synchronization it makes anyway (copy_to_host, synchronize, release_cached, the LARS norms:
// cuda_backend.h) and raises dl::Error there, e.g.
//   cross_entropy: label 12 at index 3 is outside [0, 10) (K = 10 classes); detected on the GPU,
//   reported at the next synchronization (copy_to_host)
// The first report claims the slot (atomicCAS); later ones, until the slot is reported and
// cleared, are dropped (with several bad labels in one launch, whichever row gets there first).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace dl::cuda {

enum class DeferredErrorKind : int32_t {
  None = 0,
  LabelOutOfRange = 1,  // a = index, b = label, c = K (cross_entropy)
};

struct DeferredErrorRecord {
  int32_t kind = 0;  // a DeferredErrorKind; 0 = nothing reported
  int32_t unused = 0;
  int64_t a = 0, b = 0, c = 0;
};

// The device slot that kernels report into (cuda_backend.cu owns it; valid once CUDA is up).
DeferredErrorRecord* deferred_error_slot();

#ifdef __CUDACC__
__device__ inline void report_deferred_error(DeferredErrorRecord* slot, DeferredErrorKind kind, int64_t a, int64_t b,
                                             int64_t c) {
  if (atomicCAS(&slot->kind, 0, static_cast<int32_t>(kind)) != 0) return;  // an earlier report holds the slot
  slot->a = a, slot->b = b, slot->c = c;  // visible to the host copy once the kernel has finished
}
#endif

// The host side, one per CUDA backend (single stream).
class DeferredErrors {
 public:
  DeferredErrors();  // the zeroed device slot and its pinned host mirror
  DeferredErrors(const DeferredErrors&) = delete;
  DeferredErrors& operator=(const DeferredErrors&) = delete;
  DeferredErrorRecord* device_slot() const { return slot_; }
  // Enqueues the copy of the slot into the mirror on `s`; call it right before synchronizing s.
  void enqueue_readback(cudaStream_t s);
  // After s has synchronized: if a kernel reported, clears the slot (on s) and throws dl::Error
  // naming the problem and `where` (the synchronization that found it).
  void raise_if_reported(cudaStream_t s, const char* where);

 private:
  DeferredErrorRecord* slot_ = nullptr;    // device memory
  DeferredErrorRecord* mirror_ = nullptr;  // pinned host memory
};

}  // namespace dl::cuda
