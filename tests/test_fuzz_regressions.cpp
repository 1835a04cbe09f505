// test_fuzz_regressions.cpp - replays every seed (fuzz/corpus/<target>/) and every input a fuzzer
// once crashed on (fuzz/regressions/<target>/) through the same entry functions the libFuzzer
// targets call (fuzz/entries.h): each must parse or throw dl::Error. Seconds, in the normal build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "fuzz/entries.h"

namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::function<void(const uint8_t*, size_t)>>& entries() {
  static const std::map<std::string, std::function<void(const uint8_t*, size_t)>> m = {
      {"mnist_idx", dl::fuzz::mnist_idx}, {"cifar10", dl::fuzz::cifar10},       {"gzip", dl::fuzz::gzip},
      {"safetensors", dl::fuzz::safetensors}, {"checkpoint", dl::fuzz::checkpoint}, {"config", dl::fuzz::config}};
  return m;
}

// Feeds every file under <root>/<target>/; returns how many.
int replay(const std::string& root, const std::string& target) {
  const fs::path dir = fs::path(DL_SOURCE_DIR) / root / target;
  if (!fs::is_directory(dir)) return 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      entries().at(target)(bytes.data(), bytes.size());
    } catch (const dl::Error&) {
      // a clear error is a correct answer to a malformed input
    } catch (const std::exception& e2) {
      ADD_FAILURE() << e.path() << ": escaped as " << typeid(e2).name() << ": " << e2.what();
    }
    ++n;
  }
  return n;
}

}  // namespace

TEST(FuzzRegressions, SeedCorporaParse) {
  for (const auto& [target, _] : entries()) {
    SCOPED_TRACE(target);
    EXPECT_GE(replay("fuzz/corpus", target), 2) << "fuzz/corpus/" << target << " has fewer than 2 seeds";
  }
}

TEST(FuzzRegressions, CrashInputsStayFixed) {
  int n = 0;
  for (const auto& [target, _] : entries()) n += replay("fuzz/regressions", target);
  RecordProperty("inputs", n);
}

// The seeds are valid files: each parses without an error (so the corpora exercise the full parsers).
TEST(FuzzRegressions, SeedsAreValid) {
  for (const auto& [target, entry] : entries()) {
    const fs::path dir = fs::path(DL_SOURCE_DIR) / "fuzz/corpus" / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::ifstream in(e.path(), std::ios::binary);
      const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (e.path().filename().string().rfind("seed_", 0) != 0) continue;  // libFuzzer's additions may be invalid
      EXPECT_NO_THROW(entry(bytes.data(), bytes.size())) << e.path();
    }
  }
}
