// cpu_kernels.h - which implementation runs the CPU side of DL_DISPATCH.
//
// Every op has two CPU implementations with the same arguments:
//   ref::NAME  (kernels/ref/NAME.h)  the plain definition, read first and trusted as the oracle;
//   cpu::NAME  (kernels/cpu/NAME.h)  the fast version (OpenMP, OpenBLAS, AVX2 micro-kernels).
// The fast one runs unless the environment says DL_KERNELS=ref or a program calls
// set_cpu_kernels(CpuKernels::Ref) (train's --kernels ref does). Tests switch with ScopedCpuKernels.
#pragma once

namespace dl {

enum class CpuKernels { Fast, Ref };

// The current choice; read from DL_KERNELS ("fast" or "ref") the first time it is asked.
CpuKernels cpu_kernels();
void set_cpu_kernels(CpuKernels kernels);
// "fast" or "ref"; parse_cpu_kernels throws dl::Error naming `what` for any other word.
const char* cpu_kernels_name(CpuKernels kernels);
CpuKernels parse_cpu_kernels(const char* word, const char* what);

// Sets the choice for one scope and restores the previous one on exit.
class ScopedCpuKernels {
 public:
  explicit ScopedCpuKernels(CpuKernels kernels) : saved_(cpu_kernels()) { set_cpu_kernels(kernels); }
  ~ScopedCpuKernels() { set_cpu_kernels(saved_); }
  ScopedCpuKernels(const ScopedCpuKernels&) = delete;
  ScopedCpuKernels& operator=(const ScopedCpuKernels&) = delete;

 private:
  CpuKernels saved_;
};

}  // namespace dl
