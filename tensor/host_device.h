// host_device.h - DL_HOST_DEVICE marks a header-only function that CUDA code calls on the GPU and
// C++ code on the CPU, so that both sides compute it from one definition.
#pragma once

#if defined(__CUDACC__)
#define DL_HOST_DEVICE __host__ __device__
#else
#define DL_HOST_DEVICE
#endif
