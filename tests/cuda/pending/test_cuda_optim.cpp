// test_cuda_optim.cpp - the fused optimizer kernels (Adam/AdamW, SGD with momentum/nesterov/LARS
// scale, sum_squares) on CUDA against the CPU kernels, several steps on the same state.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/adam.h"
#include "kernels/cpu/sgd.h"
#include "kernels/cuda/adam.h"
#include "kernels/cuda/sgd.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::all_close;
using dl::test::random_tensor;

TEST(CudaOptim, AdamMatchesCpu) {
  DL_REQUIRE_CUDA();
  for (bool decoupled : {false, true}) {
    const int64_t n = 100003;  // odd
    Tensor p = random_tensor({n}, 30, -1, 1, false), m = zeros({n}), v = zeros({n});
    Tensor pg = p.to(Device::CUDA), mg = m.to(Device::CUDA), vg = v.to(Device::CUDA);
    for (int t = 1; t <= 3; ++t) {
      Tensor g = random_tensor({n}, 31 + t, -1, 1, false), gg = g.to(Device::CUDA);
      const float bc1 = 1.0f - std::pow(0.9f, t), bc2s = std::sqrt(1.0f - std::pow(0.999f, t));
      cpu::adam_update(p.data(), m.data(), v.data(), g.data(), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, bc1, bc2s);
      cuda::adam_update(pg.data(), mg.data(), vg.data(), gg.data(), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled,
                        bc1, bc2s);
    }
    EXPECT_TRUE(all_close(pg.to_vector(), p.to_vector(), 1e-6f, 1e-5f)) << "decoupled " << decoupled;
    EXPECT_TRUE(all_close(mg.to_vector(), m.to_vector(), 1e-6f, 1e-5f));
    EXPECT_TRUE(all_close(vg.to_vector(), v.to_vector(), 1e-7f, 1e-5f));
  }
}

TEST(CudaOptim, SgdMatchesCpu) {
  DL_REQUIRE_CUDA();
  for (bool nesterov : {false, true}) {
    const int64_t n = 4097;
    Tensor p = random_tensor({n}, 40, -1, 1, false), buf = zeros({n});
    Tensor pg = p.to(Device::CUDA), bufg = buf.to(Device::CUDA);
    for (int t = 0; t < 3; ++t) {
      Tensor g = random_tensor({n}, 41 + t, -1, 1, false), gg = g.to(Device::CUDA);
      cpu::sgd_update(p.data(), buf.data(), g.data(), n, 0.1f, 0.9f, 0.0f, 5e-4f, nesterov, t == 0, 0.7f);
      cuda::sgd_update(pg.data(), bufg.data(), gg.data(), n, 0.1f, 0.9f, 0.0f, 5e-4f, nesterov, t == 0, 0.7f);
    }
    EXPECT_TRUE(all_close(pg.to_vector(), p.to_vector(), 1e-6f, 1e-5f)) << "nesterov " << nesterov;
    EXPECT_TRUE(all_close(bufg.to_vector(), buf.to_vector(), 1e-6f, 1e-5f));
  }
  Tensor x = random_tensor({1000003}, 50, -1, 1, false);
  const double ref = cpu::sum_squares(x.data(), x.numel());
  EXPECT_NEAR(cuda::sum_squares(x.to(Device::CUDA).data(), x.numel()), ref, 1e-5 * ref);
}
