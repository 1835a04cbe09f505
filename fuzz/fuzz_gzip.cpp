// fuzz_gzip.cpp - libFuzzer target for dl::fuzz::gzip (fuzz/entries.h): every input must parse or
// throw dl::Error; anything else escaping (another exception, a crash, a sanitizer report) is a bug.
#include "fuzz/entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    dl::fuzz::gzip(data, size);
  } catch (const dl::Error&) {
  }
  return 0;
}
