// cuda_check.h - CUDA_CHECK / CUBLAS_CHECK: turn a failed CUDA runtime or cuBLAS call into a
// dl::Error whose message has file:line, the call text and the library's error name and string,
// e.g. "kernels/cuda/conv2d.cu:88: CUDA error in cudaMemcpyAsync(...): cudaErrorInvalidValue
// (invalid argument)". Kernel launches are checked with CUDA_CHECK_LAUNCH() right after <<<>>>.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "tensor/error.h"

#define CUDA_CHECK(call)                                                                            \
  do {                                                                                              \
    const cudaError_t dl_cuda_err_ = (call);                                                        \
    if (dl_cuda_err_ != cudaSuccess)                                                                \
      DL_FAIL("CUDA error in ", #call, ": ", cudaGetErrorName(dl_cuda_err_), " (",                  \
              cudaGetErrorString(dl_cuda_err_), ")");                                               \
  } while (0)

#define CUBLAS_CHECK(call)                                                                          \
  do {                                                                                              \
    const cublasStatus_t dl_cublas_st_ = (call);                                                    \
    if (dl_cublas_st_ != CUBLAS_STATUS_SUCCESS)                                                     \
      DL_FAIL("cuBLAS error in ", #call, ": ", cublasGetStatusName(dl_cublas_st_), " (",            \
              cublasGetStatusString(dl_cublas_st_), ")");                                           \
  } while (0)

// After a kernel launch: catches bad launch configurations (asynchronous faults surface at the
// next synchronizing call, which is checked too).
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
