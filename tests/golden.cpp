#include "tests/golden.h"

namespace dl::test {

NamedTensors load_golden(const std::string& name) {
  return read_safetensors(std::string(DL_GOLDEN_DIR) + "/" + name + ".safetensors");
}

}  // namespace dl::test
