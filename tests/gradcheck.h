// gradcheck.h - the checks every op test uses (after ggml's test-backend-ops and micrograd):
//  * gradcheck: the tape's gradient of L = sum(f(x) * r), for a fixed random r, against a
//    4-point central finite difference of L in every input that requires grad;
//  * expect_close / nmse: values against a reference (goldens, or the CPU for CUDA ops).
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"

namespace dl::test {

struct GradcheckOptions {
  float eps = 1e-2f;               // finite-difference step
  float atol = 2e-3f;              // |analytic - numeric| <= atol + rtol |numeric|
  float rtol = 2e-2f;
  int max_checks_per_input = 256;  // larger inputs are checked on a random subset
  uint64_t seed = 1234;
};

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

::testing::AssertionResult gradcheck(const Fn& f, const std::vector<Tensor>& inputs,
                                     const GradcheckOptions& opt = {});

// Normalized mean squared error: sum (a - b)^2 / sum b^2 (b is the reference).
double nmse(const std::vector<float>& a, const std::vector<float>& ref);

// Every element within atol + rtol |ref|; reports the first mismatches with their indices.
::testing::AssertionResult all_close(const std::vector<float>& got, const std::vector<float>& ref,
                                     float atol = 1e-5f, float rtol = 1e-4f);
inline ::testing::AssertionResult all_close(const Tensor& got, const Tensor& ref, float atol = 1e-5f,
                                            float rtol = 1e-4f) {
  if (got.shape() != ref.shape())
    return ::testing::AssertionFailure() << "shape " << got.shape().str() << " vs " << ref.shape().str();
  return all_close(got.to_vector(), ref.to_vector(), atol, rtol);
}

// A random tensor for tests: uniform in [lo, hi), seeded, optionally requiring grad.
Tensor random_tensor(const Shape& shape, uint64_t seed, float lo = -1.0f, float hi = 1.0f,
                     bool requires_grad = true);

// n values in [-1, 1) from a 32-bit LCG: raw buffers for kernel-level tests (no Tensor needed).
std::vector<float> lcg_values(size_t n, unsigned seed);

}  // namespace dl::test
