#include "tensor/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tensor/error.h"

namespace dl {

const Tensor& NamedTensors::at(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return t;
  std::string names;
  for (size_t i = 0; i < tensors.size() && i < 8; ++i) names += (i ? ", " : "") + tensors[i].first;
  DL_FAIL("tensor '", name, "' not found in ", source.empty() ? "<memory>" : source, " (it has: ", names,
          tensors.size() > 8 ? ", ..." : "", ")");
}

bool NamedTensors::contains(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return true;
  return false;
}

// Writes to the temporary file `path` (<final>.tmp); on failure removes it and says that the
// file it would have replaced is unchanged.
static void write_all(int fd, const void* data, size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      DL_FAIL("cannot write ", path, ": ", std::strerror(err), err == ENOSPC ? " (disk full)" : "", "; ",
              path.substr(0, path.size() - 4), " is unchanged");
    }
    p += w, n -= static_cast<size_t>(w);
  }
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();  // "{}", not "null", when empty
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& [name, t] : tensors) {
    DL_CHECK(t.defined(), "write_safetensors: tensor '", name, "' is undefined");
    DL_CHECK(!header.contains(name), "write_safetensors: duplicate tensor name '", name, "'");
    std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
    header[name] = {{"dtype", t.dtype() == DType::F32 ? "F32" : "I32"},
                    {"shape", shape},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // the format allows padding the header with spaces
  const uint64_t len = json.size();             // x86 and ARM are little-endian, as the format is

  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  DL_CHECK(fd >= 0, "cannot create ", tmp, ": ", std::strerror(errno));
  write_all(fd, &len, 8, tmp);
  write_all(fd, json.data(), json.size(), tmp);
  for (const auto& [name, t] : tensors) {
    const Tensor host = t.to(Device::CPU);
    write_all(fd, host.dtype() == DType::F32 ? static_cast<const void*>(host.data())
                                             : static_cast<const void*>(host.data_i32()),
              host.nbytes(), tmp);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    DL_FAIL("cannot sync ", tmp, ": ", std::strerror(err), err == ENOSPC ? " (disk full)" : "", "; ", path,
            " is unchanged");
  }
  ::close(fd);
  DL_CHECK(std::rename(tmp.c_str(), path.c_str()) == 0, "cannot rename ", tmp, " to ", path, ": ",
           std::strerror(errno));
}

NamedTensors read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DL_CHECK(in.good(), "cannot open ", path, ": ", std::strerror(errno));
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  uint64_t len = 0;
  DL_CHECK(file_size >= 8 && in.read(reinterpret_cast<char*>(&len), 8), path,
           ": truncated (shorter than the 8-byte header length)");
  DL_CHECK(len <= file_size - 8, path, ": header length ", len, " exceeds the file size ", file_size,
           " (truncated or not a safetensors file)");
  std::string json(len, '\0');
  in.read(json.data(), static_cast<std::streamsize>(len));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(json);
  } catch (const std::exception& e) {
    DL_FAIL(path, ": malformed safetensors header: ", e.what());
  }
  DL_CHECK(header.is_object(), path, ": safetensors header is not a JSON object");
  const uint64_t data_start = 8 + len, data_size = file_size - data_start;

  NamedTensors out;
  out.source = path;
  // Tensors come back in file order (sorted by data offset), whatever the JSON key order.
  std::vector<std::tuple<uint64_t, std::string, const nlohmann::json*>> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      DL_CHECK(it->is_object(), path, ": safetensors __metadata__ is not a JSON object");
      for (auto m = it->begin(); m != it->end(); ++m)
        out.metadata[m.key()] = m->is_string() ? m->get<std::string>() : m->dump();
      continue;
    }
    try {
      entries.emplace_back(it->at("data_offsets").at(0).get<uint64_t>(), it.key(), &*it);
    } catch (const std::exception& e) {
      DL_FAIL(path, ": tensor '", it.key(), "' has a malformed entry: ", e.what());
    }
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
  for (const auto& [begin_unused, name, entry] : entries) {
    try {
      const std::string dtype = entry->at("dtype").get<std::string>();
      DL_CHECK(dtype == "F32" || dtype == "I32", path, ": tensor '", name, "' has dtype ", dtype,
               " (only F32 and I32 are supported)");
      const auto dims = entry->at("shape").get<std::vector<int64_t>>();
      DL_CHECK(dims.size() <= Shape::kMaxDims, path, ": tensor '", name, "' has ", dims.size(), " dims");
      // Each dim >= 0 and the element count within the file, checked before multiplying (no overflow).
      uint64_t numel = 1;
      for (const int64_t d : dims) {
        DL_CHECK(d >= 0, path, ": tensor '", name, "' has a negative dimension ", d);
        DL_CHECK(d == 0 || numel <= data_size / 4 / static_cast<uint64_t>(d), path, ": tensor '", name,
                 "' has more elements than the file has bytes for");
        numel *= static_cast<uint64_t>(d);
      }
      Shape shape;
      if (dims.size() == 1) shape = Shape{dims[0]};
      else if (dims.size() == 2) shape = Shape{dims[0], dims[1]};
      else if (dims.size() == 3) shape = Shape{dims[0], dims[1], dims[2]};
      else if (dims.size() == 4) shape = Shape{dims[0], dims[1], dims[2], dims[3]};
      const auto offs = entry->at("data_offsets").get<std::vector<uint64_t>>();
      DL_CHECK(offs.size() == 2 && offs[0] <= offs[1], path, ": tensor '", name, "' has bad data_offsets");
      DL_CHECK(offs[1] - offs[0] == static_cast<uint64_t>(shape.numel()) * 4, path, ": tensor '", name,
               "' has ", offs[1] - offs[0], " bytes for shape ", shape.str());
      DL_CHECK(offs[1] <= data_size, path, ": truncated: tensor '", name, "' ends at byte ", data_start + offs[1],
               " but the file has ", file_size);
      Tensor t = Tensor::empty(shape, dtype == "F32" ? DType::F32 : DType::I32);
      in.seekg(static_cast<std::streamoff>(data_start + offs[0]));
      char* dst = dtype == "F32" ? reinterpret_cast<char*>(t.data()) : reinterpret_cast<char*>(t.data_i32());
      DL_CHECK(in.read(dst, static_cast<std::streamsize>(t.nbytes())), path, ": read error in tensor '", name, "'");
      out.tensors.emplace_back(name, t);
    } catch (const nlohmann::json::exception& e) {
      DL_FAIL(path, ": tensor '", name, "' has a malformed entry: ", e.what());
    }
  }
  return out;
}

}  // namespace dl
