// entries.h - the functions the fuzz targets (fuzz/fuzz_*.cpp, libFuzzer) and the regression
// test (tests/test_fuzz_regressions.cpp, the normal build) feed with bytes. Each parses one
// untrusted input the way the programs do and must either return or throw dl::Error: any other
// exception, a crash, a leak or undefined behaviour is a bug (the fuzz build has ASan + UBSan).
//
// The readers take paths, so the bytes go to an in-memory file (memfd) opened by its
// /proc/self/fd path: no disk traffic per input.
//
// Input layouts:
//   mnist_idx    u16le length L of the images file, then L bytes of it, then the labels file
//                (each may be gzipped: the reader decompresses transparently)
//   cifar10      one batch file (records of 1 label + 3072 pixel bytes, gzipped or not)
//   gzip         any file GzFile reads (all of it, then expect_end)
//   safetensors  a safetensors file
//   checkpoint   a checkpoint of FuzzModel (nn/checkpoint.h) with Adam state and one generator
//   config       first byte 0: the rest is a config.json (config_from_json + validate);
//                else: the rest is command-line arguments separated by '\n' for train's options
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/cifar10.h"
#include "data/gz_file.h"
#include "data/mnist.h"
#include "experiments/config.h"
#include "experiments/config_cli.h"
#include "nn/adam.h"
#include "nn/checkpoint.h"
#include "nn/layers.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

namespace dl::fuzz {

// An anonymous in-memory file; path() names it for the readers.
class MemFile {
 public:
  explicit MemFile(const char* name) : fd_(::memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  // Replaces the contents.
  const std::string& set(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) throw std::runtime_error("ftruncate failed");
    size_t done = 0;
    while (done < size) {
      const ssize_t w = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (w <= 0) throw std::runtime_error("pwrite failed");
      done += static_cast<size_t>(w);
    }
    return path_ = "/proc/self/fd/" + std::to_string(fd_);
  }

 private:
  int fd_;
  std::string path_;
};

inline void mnist_idx(const uint8_t* data, size_t size) {
  static MemFile images("idx_images"), labels("idx_labels");
  if (size < 2) DL_FAIL("mnist_idx input: shorter than its 2-byte length prefix");
  size_t len = size_t(data[0]) | size_t(data[1]) << 8;
  data += 2, size -= 2;
  if (len > size) len = size;
  (void)data::read_mnist_files(images.set(data, len), labels.set(data + len, size - len), "fuzz");
}

inline void cifar10(const uint8_t* data, size_t size) {
  static MemFile batch("cifar_batch");
  (void)data::read_cifar10_files({batch.set(data, size)}, "fuzz", 0);
}

inline void gzip(const uint8_t* data, size_t size) {
  static MemFile file("gzip");
  data::GzFile f(file.set(data, size));
  std::vector<uint8_t> buf(4096);
  size_t total = 0;
  // Bounded like the readers: a decompression bomb must not exhaust memory or time.
  while (size_t n = f.read(buf.data(), buf.size())) {
    total += n;
    if (total > (size_t(64) << 20)) return;
  }
  f.expect_end("all of it");
}

inline void safetensors(const uint8_t* data, size_t size) {
  static MemFile file("safetensors");
  const NamedTensors t = read_safetensors(file.set(data, size));
  for (const auto& [name, tensor] : t.tensors) (void)tensor.nbytes();
}

// The model the checkpoint target loads into (the seed generator saves the same one).
struct FuzzModel {
  FuzzModel() : init(1), noise(2) {
    fc1 = model.add("fc1", std::make_shared<nn::Linear>(3, 4, true, init));
    bn = model.add("bn", std::make_shared<nn::BatchNorm1d>(4));
    fc2 = model.add("fc2", std::make_shared<nn::Linear>(4, 2, false, init));
    adam = std::make_unique<nn::Adam>(model.named_parameters(), nn::AdamOptions{});
  }
  Generator init, noise;
  nn::ModuleDict model;
  std::shared_ptr<nn::Linear> fc1, fc2;
  std::shared_ptr<nn::BatchNorm1d> bn;
  std::unique_ptr<nn::Adam> adam;
  nn::GeneratorList gens() { return {{"noise", &noise}}; }
};

inline void checkpoint(const uint8_t* data, size_t size) {
  static MemFile file("checkpoint");
  FuzzModel m;
  (void)nn::load_checkpoint(file.set(data, size), m.model, m.adam.get(), m.gens());
}

inline void config(const uint8_t* data, size_t size) {
  if (size == 0) DL_FAIL("config input: empty");
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 0) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) DL_FAIL("config JSON: not valid JSON");
    experiments::config_from_json(j).validate();
    return;
  }
  std::vector<std::string> args;  // CLI11 takes them in reverse order
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      args.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  std::reverse(args.begin(), args.end());
  CLI::App app;
  experiments::ConfigOptions options(app, "paper");
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {  // CLI11's own report of a bad command line
    DL_FAIL("command line: ", e.what());
  }
  (void)options.build();
}

}  // namespace dl::fuzz
