// cpu_kernels.cpp - the process-wide choice between the reference and the fast CPU kernels.
#include "kernels/cpu_kernels.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "tensor/error.h"

namespace dl {
namespace {

// -1: not read from the environment yet; otherwise a CpuKernels value.
std::atomic<int> g_choice{-1};

}  // namespace

CpuKernels parse_cpu_kernels(const char* word, const char* what) {
  if (std::strcmp(word, "fast") == 0) return CpuKernels::Fast;
  if (std::strcmp(word, "ref") == 0) return CpuKernels::Ref;
  DL_FAIL(what, ": '", word, "' is not a kernel set (expected 'fast' or 'ref')");
}

CpuKernels cpu_kernels() {
  int choice = g_choice.load(std::memory_order_relaxed);
  if (choice < 0) {
    const char* env = std::getenv("DL_KERNELS");
    choice = static_cast<int>(env && *env ? parse_cpu_kernels(env, "DL_KERNELS") : CpuKernels::Fast);
    g_choice.store(choice, std::memory_order_relaxed);
  }
  return static_cast<CpuKernels>(choice);
}

void set_cpu_kernels(CpuKernels kernels) { g_choice.store(static_cast<int>(kernels), std::memory_order_relaxed); }

const char* cpu_kernels_name(CpuKernels kernels) { return kernels == CpuKernels::Ref ? "ref" : "fast"; }

}  // namespace dl
