// device.h - where a tensor's bytes live, and the small interface a backend implements to own
// them. The CPU backend is always present; the CUDA backend registers itself when it is built
// and a GPU is usable, so model code never changes between devices.
#pragma once
#include <cstddef>
#include <string>

namespace dl {

enum class Device { CPU, CUDA };
std::string device_name(Device d);
Device parse_device(const std::string& name);  // "cpu" or "cuda"; anything else is an error

// Memory services of one device. allocate() never returns nullptr: it throws dl::Error and says
// how many bytes were asked for.
struct DeviceBackend {
  virtual ~DeviceBackend() = default;
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* ptr, size_t bytes) = 0;
  virtual void copy_to_host(void* dst_host, const void* src, size_t bytes) = 0;
  virtual void copy_from_host(void* dst, const void* src_host, size_t bytes) = 0;
  virtual void copy_within(void* dst, const void* src, size_t bytes) = 0;
  virtual void set_zero(void* ptr, size_t bytes) = 0;
  virtual void synchronize() {}
  virtual void release_cached() {}  // hand cached blocks back to the system
};

// The backend of a device; a clear error ("CUDA requested but ...") if it is not available.
DeviceBackend& backend(Device d);
bool device_available(Device d);
void register_backend(Device d, DeviceBackend* b, std::string why_unavailable = "");

}  // namespace dl
