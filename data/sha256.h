// sha256.h - SHA-256 (FIPS 180-4), to check data files against known checksums, plus the
// table of known sums for the MNIST / CIFAR-10 files (shared/data/SHA256SUMS and the
// decompressed contents, which equal the official files).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace dl::data {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t n);
  std::string hex_digest();  // finishes the hash; 64 lowercase hex digits

 private:
  void block(const uint8_t* p);  // one 64-byte block
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes
};

std::string sha256_hex(const void* data, size_t n);
std::string sha256_file(const std::string& path);  // of the bytes on disk; dl::Error if unreadable

// Known sums by name relative to the data root, e.g. "mnist/t10k-labels-idx1-ubyte.gz" (the
// file as distributed in shared/data) or "mnist/t10k-labels-idx1-ubyte" (its decompressed
// content, the same bytes as the official uncompressed file). nullptr if the name is unknown.
const char* known_sha256(const std::string& name);

// Throws dl::Error naming `what` with expected and found sums if `name` is known and differs.
void check_sha256(const std::string& name, const std::string& found_hex, const std::string& what);

}  // namespace dl::data
