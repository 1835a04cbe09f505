#include "tensor/device.h"

#include <mutex>

#include "tensor/cpu_allocator.h"
#include "tensor/error.h"

namespace dl {

namespace {
DeviceBackend* g_cuda = nullptr;
std::string g_cuda_unavailable =
    "this build has no CUDA backend (configure with the 'cuda' preset, -DDL_WITH_CUDA=ON)";
}  // namespace

#ifdef DL_WITH_CUDA
namespace cuda {
void init_backend();  // kernels/cuda/cuda_backend.cu: registers the backend, or why it is unavailable
}
#endif

// Create the CUDA backend on first use (idempotent, cheap after the first call).
static void lazy_init_cuda() {
#ifdef DL_WITH_CUDA
  cuda::init_backend();
#endif
}

std::string device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "cuda" || name == "gpu") return Device::CUDA;
  DL_FAIL("unknown device '", name, "' (expected 'cpu' or 'cuda')");
}

DeviceBackend& backend(Device d) {
  if (d == Device::CPU) return cpu_backend();
  lazy_init_cuda();
  DL_CHECK(g_cuda != nullptr, "CUDA device requested but not available: ", g_cuda_unavailable);
  return *g_cuda;
}

bool device_available(Device d) {
  if (d == Device::CPU) return true;
  lazy_init_cuda();
  return g_cuda != nullptr;
}

void register_backend(Device d, DeviceBackend* b, std::string why_unavailable) {
  DL_CHECK(d == Device::CUDA, "only the CUDA backend can be registered");
  g_cuda = b;
  if (!b) g_cuda_unavailable = std::move(why_unavailable);
}

}  // namespace dl
