// dispatch.h - run a kernel on the device its tensors live on.
//
// Every op has three functions with the same arguments, raw pointers included: the reference
// ref::NAME (kernels/ref/NAME.h), the fast CPU cpu::NAME (kernels/cpu/NAME.h) and the CUDA
// cuda::NAME (kernels/cuda/NAME.h). DL_DISPATCH(device, NAME, args...) calls cuda::NAME for CUDA
// tensors and, for CPU tensors, cpu::NAME or ref::NAME as kernels/cpu_kernels.h says (DL_KERNELS=ref
// runs a whole training step on the reference kernels). In a build without CUDA the CUDA branch is
// a clear error and the cuda:: symbols are never referenced, so nothing needs to be stubbed.
#pragma once
#include "kernels/cpu_kernels.h"
#include "tensor/device.h"
#include "tensor/error.h"

#ifdef DL_WITH_CUDA
#define DL_CUDA_BRANCH(fn, ...) ::dl::cuda::fn(__VA_ARGS__)
#else
#define DL_CUDA_BRANCH(fn, ...) DL_FAIL(#fn ": tensor is on CUDA but this build has no CUDA backend")
#endif

#define DL_DISPATCH(device, fn, ...)                   \
  do {                                                 \
    if ((device) != ::dl::Device::CPU) {               \
      DL_CUDA_BRANCH(fn, __VA_ARGS__);                 \
    } else if (::dl::cpu_kernels() == ::dl::CpuKernels::Ref) { \
      ::dl::ref::fn(__VA_ARGS__);                      \
    } else {                                           \
      ::dl::cpu::fn(__VA_ARGS__);                      \
    }                                                  \
  } while (0)

// All tensors of an op must share a device: "conv2d: input on cuda but weight on cpu".
#define DL_CHECK_SAME_DEVICE(op, a, b)                                                        \
  DL_CHECK((a).device() == (b).device(), op, ": ", #a, " on ", ::dl::device_name((a).device()), \
           " but ", #b, " on ", ::dl::device_name((b).device()))
