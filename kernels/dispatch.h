// dispatch.h - run a kernel on the device its tensors live on.
//
// Every op has a CPU function cpu::NAME (kernels/cpu/NAME.h) and a CUDA function cuda::NAME
// (kernels/cuda/NAME.h) with the same arguments, raw pointers included. DL_DISPATCH(device, NAME,
// args...) calls the right one. In a build without CUDA the CUDA branch is a clear error and the
// cuda:: symbols are never referenced, so nothing needs to be stubbed.
#pragma once
#include "tensor/device.h"
#include "tensor/error.h"

#ifdef DL_WITH_CUDA
#define DL_CUDA_BRANCH(fn, ...) ::dl::cuda::fn(__VA_ARGS__)
#else
#define DL_CUDA_BRANCH(fn, ...) DL_FAIL(#fn ": tensor is on CUDA but this build has no CUDA backend")
#endif

#define DL_DISPATCH(device, fn, ...)                   \
  do {                                                 \
    if ((device) == ::dl::Device::CPU) {               \
      ::dl::cpu::fn(__VA_ARGS__);                      \
    } else {                                           \
      DL_CUDA_BRANCH(fn, __VA_ARGS__);                 \
    }                                                  \
  } while (0)

// All tensors of an op must share a device: "conv2d: input on cuda but weight on cpu".
#define DL_CHECK_SAME_DEVICE(op, a, b)                                                        \
  DL_CHECK((a).device() == (b).device(), op, ": ", #a, " on ", ::dl::device_name((a).device()), \
           " but ", #b, " on ", ::dl::device_name((b).device()))
