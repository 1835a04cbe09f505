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

std::string device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::CPU;
  if (name == "cuda" || name == "gpu") return Device::CUDA;
  DL_FAIL("unknown device '", name, "' (expected 'cpu' or 'cuda')");
}

DeviceBackend& backend(Device d) {
  if (d == Device::CPU) return cpu_backend();
  DL_CHECK(g_cuda != nullptr, "CUDA device requested but not available: ", g_cuda_unavailable);
  return *g_cuda;
}

bool device_available(Device d) { return d == Device::CPU || g_cuda != nullptr; }

void register_backend(Device d, DeviceBackend* b, std::string why_unavailable) {
  DL_CHECK(d == Device::CUDA, "only the CUDA backend can be registered");
  g_cuda = b;
  if (!b) g_cuda_unavailable = std::move(why_unavailable);
}

}  // namespace dl
