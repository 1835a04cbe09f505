// deferred_error.cu - see deferred_error.h. Not a kernel: the host side of the slot. Part of the
// tensor layer with cuda_backend.cu, which calls it at every synchronization.
#include <cstring>
#include <string>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/deferred_error.h"
#include "tensor/error.h"

namespace dl::cuda {

namespace {

std::string describe(const DeferredErrorRecord& r) {
  switch (static_cast<DeferredErrorKind>(r.kind)) {
    case DeferredErrorKind::LabelOutOfRange:
      return detail::concat("cross_entropy: label ", r.b, " at index ", r.a, " is outside [0, ", r.c, ") (K = ", r.c,
                            " classes)");
    case DeferredErrorKind::None:
      break;
  }
  return detail::concat("a CUDA kernel reported error kind ", r.kind, " (", r.a, ", ", r.b, ", ", r.c, ")");
}

}  // namespace

// Allocated once per process with the backend and never freed (the backend is leaked on
// purpose); cudaMalloc / cudaHostAlloc synchronize, which is fine at start-up.
DeferredErrors::DeferredErrors() {
  CUDA_CHECK(cudaMalloc(&slot_, sizeof(DeferredErrorRecord)));
  CUDA_CHECK(cudaMemset(slot_, 0, sizeof(DeferredErrorRecord)));
  CUDA_CHECK(cudaHostAlloc(&mirror_, sizeof(DeferredErrorRecord), cudaHostAllocDefault));
  std::memset(mirror_, 0, sizeof(DeferredErrorRecord));
}

void DeferredErrors::enqueue_readback(cudaStream_t s) {
  CUDA_CHECK(cudaMemcpyAsync(mirror_, slot_, sizeof(DeferredErrorRecord), cudaMemcpyDeviceToHost, s));
}

void DeferredErrors::raise_if_reported(cudaStream_t s, const char* where) {
  if (mirror_->kind == 0) return;
  const DeferredErrorRecord r = *mirror_;
  std::memset(mirror_, 0, sizeof(DeferredErrorRecord));
  CUDA_CHECK(cudaMemsetAsync(slot_, 0, sizeof(DeferredErrorRecord), s));  // ordered before any later kernel
  DL_FAIL(describe(r), "; detected on the GPU, reported at the next synchronization (", where, ")");
}

}  // namespace dl::cuda
