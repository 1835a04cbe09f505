// gz_file.cpp - GzFile over zlib's gz* API.
#include "data/gz_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tensor/error.h"

namespace dl::data {

GzFile::GzFile(const std::string& path) : path_(path) {
  std::error_code ec;
  DL_CHECK(std::filesystem::is_regular_file(path, ec), "cannot open '", path, "': no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  DL_CHECK(f != nullptr, "cannot open '", path, "': ", std::strerror(errno));
  gzbuffer(f, 1 << 18);
  gz_ = f;
}

GzFile::~GzFile() {
  if (gz_) gzclose_r(static_cast<gzFile>(gz_));
}

size_t GzFile::read(void* dst, size_t n) {
  gzFile f = static_cast<gzFile>(gz_);
  uint8_t* p = static_cast<uint8_t*>(dst);
  size_t got = 0;
  while (got < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - got, 1u << 30));
    const int r = gzread(f, p + got, chunk);
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    // A truncated .gz shows up as Z_BUF_ERROR ("unexpected end of file") after the last bytes.
    DL_CHECK(r >= 0 && (errnum == Z_OK || errnum == Z_STREAM_END), "'", path_, "': corrupt or truncated gzip data after ",
             bytes_read_ + got, " bytes: ", msg ? msg : "unknown zlib error");
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  if (sha_) sha_->update(p, got);
  bytes_read_ += got;
  return got;
}

void GzFile::read_exact(void* dst, size_t n, const std::string& what) {
  const uint64_t start = bytes_read_;
  const size_t got = read(dst, n);
  DL_CHECK(got == n, "'", path_, "': truncated: expected ", what, " (", n, " bytes at offset ", start, "), found only ",
           got, " bytes");
}

void GzFile::expect_end(const std::string& what) {
  const uint64_t at = bytes_read_;
  uint8_t buf[4096];
  uint64_t extra = 0;
  size_t n;
  while ((n = read(buf, sizeof buf)) > 0) extra += n;
  DL_CHECK(extra == 0, "'", path_, "': expected ", at, " bytes (", what, "), found ", extra,
           " unexpected trailing bytes");
}

std::string find_maybe_gz(const std::string& dir, const std::string& base) {
  namespace fs = std::filesystem;
  const fs::path gz = fs::path(dir) / (base + ".gz"), plain = fs::path(dir) / base;
  std::error_code ec;
  if (fs::is_regular_file(gz, ec)) return gz.string();
  if (fs::is_regular_file(plain, ec)) return plain.string();
  DL_FAIL("missing data file: neither '", gz.string(), "' nor '", plain.string(), "' exists");
}

std::string stem_without_gz(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0) name.resize(name.size() - 3);
  return name;
}

}  // namespace dl::data
