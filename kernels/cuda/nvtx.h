// nvtx.h - named ranges for Nsight Systems timelines (docs/profiling.md). A plain C++ header:
// usable from nn/ and experiments/ code in every build; without CUDA the range is a no-op.
//
//   { dl::NvtxRange r("resnet.layer2"); ... }   // shows up as "resnet.layer2" in nsys
//
// NVTX v3 is header-only (it ships with the CUDA toolkit) and costs a few ns per range when no
// profiler is attached.
#pragma once
#include <string>

#ifdef DL_WITH_CUDA
#include <nvtx3/nvToolsExt.h>
#endif

namespace dl {

class NvtxRange {
 public:
#ifdef DL_WITH_CUDA
  explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
  explicit NvtxRange(const std::string& name) { nvtxRangePushA(name.c_str()); }
  ~NvtxRange() { nvtxRangePop(); }
#else
  explicit NvtxRange(const char*) {}
  explicit NvtxRange(const std::string&) {}
  ~NvtxRange() = default;
#endif
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

}  // namespace dl
