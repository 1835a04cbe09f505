// cuda_test_util.h - CUDA tests compare every op against the CPU backend on the same inputs
// (ggml test-backend-ops style): forward values and, after a backward with the same random seed
// gradient, every input gradient; normalized error (nmse) plus an elementwise tolerance.
// The CPU side is the fast CPU kernels, not kernels/ref: the CPU suite checks every fast kernel
// against its reference twin on the same shape families, and the reference convolution would take
// minutes at the model-sized shapes these tests use (e.g. N = 16, C = 512 at 32x32).
// Without a usable GPU the tests skip with the reason.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "kernels/cuda/cuda_backend.h"
#include "tensor/device.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

namespace dl::test {

// Empty when CUDA is usable, otherwise why not (the error backend(Device::CUDA) throws).
inline std::string cuda_unavailable_reason() {
  try {
    backend(Device::CUDA);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

#define DL_REQUIRE_CUDA()                                                           \
  do {                                                                              \
    const std::string dl_why_ = ::dl::test::cuda_unavailable_reason();              \
    if (!dl_why_.empty()) GTEST_SKIP() << "no CUDA device: " << dl_why_;            \
  } while (0)

struct Tolerance {
  double max_nmse = 1e-10;  // sum (gpu - cpu)^2 / sum cpu^2
  float atol = 1e-5f;       // and every element within atol + rtol |cpu|
  float rtol = 1e-4f;
};

// Runs fn on fresh copies of `inputs` on the CPU and on the GPU and compares the outputs and the
// gradients of every input that requires grad. Integer inputs (labels) are copied as they are.
inline void expect_cuda_matches_cpu(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                                    const std::vector<Tensor>& inputs, const Tolerance& tol = {},
                                    const std::string& what = "") {
  SCOPED_TRACE(what);
  ASSERT_FALSE(cuda::tf32_enabled()) << "CUDA-vs-CPU comparisons need FP32 GEMMs (TF32 is an option: --tf32)";
  std::vector<Tensor> cpu, gpu;
  for (const Tensor& t : inputs) {
    Tensor c = t.detach().clone(), g = t.detach().to(Device::CUDA);
    if (t.requires_grad()) c.set_requires_grad(true), g.set_requires_grad(true);
    cpu.push_back(c);
    gpu.push_back(g);
  }
  Tensor out_cpu = fn(cpu), out_gpu = fn(gpu);
  ASSERT_EQ(out_gpu.device(), Device::CUDA);
  ASSERT_EQ(out_gpu.shape(), out_cpu.shape());
  const std::vector<float> oc = out_cpu.to_vector(), og = out_gpu.to_vector();
  EXPECT_LE(nmse(og, oc), tol.max_nmse) << "forward";
  EXPECT_TRUE(all_close(og, oc, tol.atol, tol.rtol)) << "forward";
  if (!out_cpu.requires_grad()) return;
  const Tensor seed = random_tensor(out_cpu.shape(), 777, -1.0f, 1.0f, false);
  out_cpu.backward(seed);
  out_gpu.backward(seed.to(Device::CUDA));
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    ASSERT_TRUE(cpu[i].grad().defined() && gpu[i].grad().defined()) << "input " << i << " has no gradient";
    const std::vector<float> gc = cpu[i].grad().to_vector(), gg = gpu[i].grad().to_vector();
    EXPECT_LE(nmse(gg, gc), tol.max_nmse) << "gradient of input " << i;
    EXPECT_TRUE(all_close(gg, gc, tol.atol, tol.rtol)) << "gradient of input " << i;
  }
}

}  // namespace dl::test
