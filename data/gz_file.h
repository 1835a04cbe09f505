// gz_file.h - reading a data file that may or may not be gzipped (zlib's gzread reads plain
// files transparently), with errors that name the file and what was expected vs found.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/sha256.h"

namespace dl::data {

class GzFile {
 public:
  explicit GzFile(const std::string& path);  // dl::Error if it cannot be opened
  ~GzFile();
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to n bytes (fewer only at the end of the data); dl::Error on corrupt data.
  size_t read(void* dst, size_t n);
  // Reads exactly n bytes; dl::Error "<path>: truncated: expected <what> ..." otherwise.
  void read_exact(void* dst, size_t n, const std::string& what);
  // dl::Error unless the data has ended ("<n> unexpected trailing bytes").
  void expect_end(const std::string& what);
  uint64_t bytes_read() const { return bytes_read_; }
  const std::string& path() const { return path_; }

  // Hash the decompressed bytes as they are read (for the optional checksum check).
  void enable_sha256() { sha_ = std::make_unique<Sha256>(); }
  std::string sha256_hex() { return sha_ ? sha_->hex_digest() : std::string(); }

 private:
  std::string path_;
  void* gz_ = nullptr;  // gzFile
  uint64_t bytes_read_ = 0;
  std::unique_ptr<Sha256> sha_;
};

// "<dir>/<base>.gz" if it exists, else "<dir>/<base>"; dl::Error listing both if neither does.
std::string find_maybe_gz(const std::string& dir, const std::string& base);

// Last component of a path with a trailing ".gz" removed: "a/b/c.bin.gz" -> "c.bin".
std::string stem_without_gz(const std::string& path);

}  // namespace dl::data
