// golden.h - reference values computed once with PyTorch by tests/golden/make_goldens.py and
// committed as small safetensors files in tests/golden/. The tests never need PyTorch.
#pragma once
#include <string>

#include "tensor/safetensors.h"

namespace dl::test {

// Loads tests/golden/<name>.safetensors; fails the test with the path if it is missing.
NamedTensors load_golden(const std::string& name);

}  // namespace dl::test
