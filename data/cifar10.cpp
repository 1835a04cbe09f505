// cifar10.cpp - record files are read in chunks and split into labels and CHW images.
#include "data/cifar10.h"

#include <cstring>

#include "data/gz_file.h"
#include "tensor/error.h"

namespace dl::data {
namespace {
constexpr int kImageBytes = kCifarRecordBytes - 1;
constexpr int64_t kMaxRecordsPerFile = 1'000'000;  // bound for memory if a file is unexpectedly large
}  // namespace

const std::vector<std::string>& cifar10_class_names() {
  static const std::vector<std::string> names = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                 "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

Dataset read_cifar10_files(const std::vector<std::string>& paths, const std::string& name,
                           int64_t expected_records_per_file, bool verify_sha256) {
  Dataset d;
  d.kind = DatasetKind::CIFAR10, d.name = name;
  d.channels = 3, d.height = 32, d.width = 32;
  d.class_names = cifar10_class_names();
  if (expected_records_per_file > 0) {
    d.images.reserve(paths.size() * expected_records_per_file * kImageBytes);
    d.labels.reserve(paths.size() * expected_records_per_file);
  }
  constexpr int64_t kChunkRecords = 256;  // 786 KB per read
  std::vector<uint8_t> chunk(kChunkRecords * kCifarRecordBytes);
  for (const std::string& path : paths) {
    GzFile f(path);
    if (verify_sha256) f.enable_sha256();
    int64_t records = 0;
    for (;;) {
      const size_t got = f.read(chunk.data(), chunk.size());
      DL_CHECK(got % kCifarRecordBytes == 0, "'", path, "': truncated: ", f.bytes_read(),
               " bytes is not a whole number of ", kCifarRecordBytes, "-byte records (1 label + 3072 pixels)",
               expected_records_per_file > 0
                   ? detail::concat("; expected ", expected_records_per_file, " records = ",
                                    expected_records_per_file * kCifarRecordBytes, " bytes")
                   : std::string());
      const int64_t n = got / kCifarRecordBytes;
      const size_t base = d.images.size();
      d.images.resize(base + n * kImageBytes);
      for (int64_t r = 0; r < n; ++r) {
        const uint8_t* rec = chunk.data() + r * kCifarRecordBytes;
        DL_CHECK(rec[0] < 10, "'", path, "': label ", int(rec[0]), " of record ", records + r,
                 " (byte offset ", (records + r) * kCifarRecordBytes, ") outside [0, 10)");
        d.labels.push_back(rec[0]);
        d.source_indices.push_back(static_cast<int32_t>(d.source_indices.size()));
        std::memcpy(d.images.data() + base + r * kImageBytes, rec + 1, kImageBytes);
      }
      records += n;
      DL_CHECK(records <= kMaxRecordsPerFile, "'", path, "': more than ", kMaxRecordsPerFile, " records");
      if (got < chunk.size()) break;
    }
    DL_CHECK(records > 0, "'", path, "': empty (expected ", kCifarRecordBytes, "-byte records)");
    DL_CHECK(expected_records_per_file <= 0 || records == expected_records_per_file, "'", path, "': expected ",
             expected_records_per_file, " records (", expected_records_per_file * kCifarRecordBytes,
             " bytes), found ", records, " (", f.bytes_read(), " bytes)");
    if (verify_sha256) check_sha256("cifar10/" + stem_without_gz(path), f.sha256_hex(), "'" + path + "'");
  }
  return d;
}

Dataset read_cifar10(const std::string& cifar_dir, bool train, bool verify_sha256) {
  std::vector<std::string> paths;
  if (train) {
    for (int b = 1; b <= 5; ++b) paths.push_back(find_maybe_gz(cifar_dir, "data_batch_" + std::to_string(b) + ".bin"));
  } else {
    paths.push_back(find_maybe_gz(cifar_dir, "test_batch.bin"));
  }
  return read_cifar10_files(paths, train ? "CIFAR10 train" : "CIFAR10 test", kCifarRecordsPerBatch, verify_sha256);
}

}  // namespace dl::data
