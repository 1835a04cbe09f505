// test_cuda_fused.cpp - the fused CUDA kernels against the CPU: batchnorm + ReLU (train and eval,
// running statistics), the one-pass (Welford + Chan) batchnorm statistics on hard inputs
// (|mean| >> std, the chunk-count clamp, C > 65535 channels, bitwise repeatability), add_relu
// (odd sizes, unaligned pointers), narrow_cols (forward copy, backward scatter) and the NT-Xent
// kernels' saved dS = d loss / d S.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "kernels/cpu/add_relu.h"
#include "kernels/cpu/nt_xent.h"
#include "kernels/cuda/add_relu.h"
#include "kernels/cuda/nt_xent.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::all_close;
using dl::test::expect_cuda_matches_cpu;
using dl::test::nmse;
using dl::test::random_tensor;

namespace {

// batchnorm on CPU and CUDA from the same running statistics; compares the output, the
// gradients of x, w, b and the updated running statistics.
void check_bn(const Shape& s, bool training, float eps, float lo, float hi, const dl::test::Tolerance& tol) {
  const int64_t C = s[1];
  Tensor x = random_tensor(s, 21, lo, hi), w = random_tensor({C}, 22, 0.5f, 1.5f), b = random_tensor({C}, 23);
  Tensor rm_c = random_tensor({C}, 24, -0.5f, 0.5f, false), rv_c = random_tensor({C}, 25, 0.5f, 2.0f, false);
  Tensor rm_g = rm_c.to(Device::CUDA), rv_g = rv_c.to(Device::CUDA);
  const std::string what = "batchnorm " + s.str() + (training ? " train" : " eval") + " eps " + std::to_string(eps);
  expect_cuda_matches_cpu(
      [&](const std::vector<Tensor>& in) {
        const bool gpu = in[0].device() == Device::CUDA;
        return batchnorm(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c, training, 0.1f, eps);
      },
      {x, w, b}, tol, what);
  EXPECT_TRUE(all_close(rm_g.to_vector(), rm_c.to_vector(), 1e-5f, 1e-4f)) << "running_mean " << what;
  EXPECT_TRUE(all_close(rv_g.to_vector(), rv_c.to_vector(), 1e-5f, 1e-4f)) << "running_var " << what;
}

// batchnorm_relu, CPU vs CUDA. The two devices' statistics differ in the last bits, so a
// pre-activation y within rounding of 0 may be masked on one device and not on the other (an
// O(1) difference in that element's gradient, and in its channel's dweight/dbias). The upstream
// gradient is therefore 0 wherever |y| < `ambiguous` (y from the CPU): there the mask cannot
// matter, and everywhere else it cannot flip.
void check_bn_relu(const Shape& s, bool training, float eps, float lo, float hi, float ambiguous,
                   const dl::test::Tolerance& tol) {
  const int64_t C = s[1];
  const Tensor x = random_tensor(s, 21, lo, hi, false), w = random_tensor({C}, 22, 0.5f, 1.5f, false),
               b = random_tensor({C}, 23, -1, 1, false);
  const Tensor rm0 = random_tensor({C}, 24, -0.5f, 0.5f, false), rv0 = random_tensor({C}, 25, 0.5f, 2.0f, false);
  const std::string what = "batchnorm_relu " + s.str() + (training ? " train" : " eval") + " eps " + std::to_string(eps);
  SCOPED_TRACE(what);
  Tensor rm_tmp = rm0.clone(), rv_tmp = rv0.clone();
  const std::vector<float> y = batchnorm(x, w, b, rm_tmp, rv_tmp, training, 0.1f, eps).to_vector();
  std::vector<float> seed = random_tensor(s, 777, -1, 1, false).to_vector();
  int64_t zeroed = 0;
  for (size_t k = 0; k < seed.size(); ++k)
    if (std::abs(y[k]) < ambiguous) seed[k] = 0.0f, ++zeroed;
  EXPECT_LT(zeroed, static_cast<int64_t>(seed.size() / 100 + 2)) << "too many ambiguous elements";
  struct Run {
    std::vector<float> out, dx, dw, db, rm, rv;
  };
  auto run = [&](Device dev) {
    // Fresh copies on either device (to(CPU) of a CPU tensor would share it: grads and running
    // statistics would carry over from one run to the next).
    auto fresh = [dev](const Tensor& t) { return dev == Device::CPU ? t.detach().clone() : t.detach().to(dev); };
    Tensor xd = fresh(x), wd = fresh(w), bd = fresh(b), rm = fresh(rm0), rv = fresh(rv0);
    xd.set_requires_grad(true), wd.set_requires_grad(true), bd.set_requires_grad(true);
    Tensor out = batchnorm_relu(xd, wd, bd, rm, rv, training, 0.1f, eps);
    EXPECT_EQ(out.device(), dev);
    out.backward(from_vector(seed, s, dev));
    return Run{out.to_vector(), xd.grad().to_vector(), wd.grad().to_vector(), bd.grad().to_vector(),
               rm.to_vector(), rv.to_vector()};
  };
  const Run c = run(Device::CPU), g = run(Device::CUDA);
  const std::pair<const char*, std::pair<const std::vector<float>*, const std::vector<float>*>> pairs[] = {
      {"forward", {&g.out, &c.out}}, {"dx", {&g.dx, &c.dx}}, {"dweight", {&g.dw, &c.dw}}, {"dbias", {&g.db, &c.db}}};
  for (const auto& [name, v] : pairs) {
    EXPECT_LE(nmse(*v.first, *v.second), tol.max_nmse) << name;
    EXPECT_TRUE(all_close(*v.first, *v.second, tol.atol, tol.rtol)) << name;
  }
  EXPECT_TRUE(all_close(g.rm, c.rm, 1e-5f, 1e-4f)) << "running_mean";
  EXPECT_TRUE(all_close(g.rv, c.rv, 1e-5f, 1e-4f)) << "running_var";
}

}  // namespace

TEST(CudaBatchnormRelu, TrainAndEvalMatchCpu) {
  DL_REQUIRE_CUDA();
  // Model shapes, C = 3, S = 1 (2-d and 4-d), N S not a multiple of the block (5 * 49 = 245).
  for (Shape s : {Shape{16, 64, 32, 32}, Shape{8, 512, 4, 4}, Shape{5, 3, 7, 7}, Shape{7, 5, 3, 9}, Shape{2, 3, 1, 1},
                  Shape{3, 11}, Shape{256, 16}})
    for (bool training : {true, false})
      for (float eps : {1e-5f, 10.0f}) check_bn_relu(s, training, eps, -2.0f, 3.0f, 1e-4f, {1e-9, 1e-4f, 1e-3f});
}

TEST(CudaBatchnorm, OnePassStatisticsHardInputs) {
  DL_REQUIRE_CUDA();
  // |mean| >> std: E[x^2] - E[x]^2 would lose everything; Welford + Chan must not.
  check_bn(Shape{8, 4, 16, 16}, true, 1e-5f, 999.0f, 1001.0f, {1e-6, 2e-3f, 2e-3f});
  check_bn_relu(Shape{8, 4, 16, 16}, true, 1e-5f, 999.0f, 1001.0f, 2e-3f, {1e-6, 2e-3f, 2e-3f});
  // M = 600 * 1024 values per channel: the chunk count hits its clamp (64 blocks per channel).
  check_bn(Shape{600, 2, 32, 32}, true, 1e-5f, -2.0f, 3.0f, {1e-9, 1e-4f, 1e-3f});
  // C > 65535: grid.y is capped and the kernels loop over channels.
  check_bn(Shape{3, 70000}, true, 1e-5f, -2.0f, 3.0f, {1e-9, 1e-4f, 1e-3f});
  check_bn_relu(Shape{3, 70000, 1, 1}, true, 1e-5f, -2.0f, 3.0f, 1e-4f, {1e-9, 1e-4f, 1e-3f});
}

TEST(CudaBatchnorm, BitwiseRepeatable) {
  DL_REQUIRE_CUDA();
  const Shape s{32, 64, 16, 16};
  const Tensor x0 = random_tensor(s, 31, -2, 3, false);
  std::vector<float> first_out, first_dx, first_dw;
  for (int rep = 0; rep < 2; ++rep) {
    Tensor x = x0.to(Device::CUDA).set_requires_grad(true);
    Tensor w = random_tensor({64}, 32, 0.5f, 1.5f, false).to(Device::CUDA).set_requires_grad(true);
    Tensor b = random_tensor({64}, 33, -1, 1, false).to(Device::CUDA).set_requires_grad(true);
    Tensor rm = zeros({64}, Device::CUDA), rv = ones({64}, Device::CUDA);
    Tensor y = batchnorm_relu(x, w, b, rm, rv, true, 0.1f, 1e-5f);
    sum(mul(y, y)).backward();
    if (rep == 0) {
      first_out = y.to_vector(), first_dx = x.grad().to_vector(), first_dw = w.grad().to_vector();
    } else {
      EXPECT_EQ(y.to_vector(), first_out);
      EXPECT_EQ(x.grad().to_vector(), first_dx);
      EXPECT_EQ(w.grad().to_vector(), first_dw);
    }
  }
}

TEST(CudaAddRelu, MatchesCpu) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{256, 64, 8, 8}, Shape{5, 3, 7, 7}, Shape{7}, Shape{1}, Shape{4}}) {
    Tensor a = random_tensor(s, 41), b = random_tensor(s, 42);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return add_relu(in[0], in[1]); }, {a, b},
                            {0.0, 0.0f, 0.0f}, "add_relu " + s.str());  // exact: one add, one max
  }
}

TEST(CudaAddRelu, UnalignedPointersTakeTheScalarPath) {
  DL_REQUIRE_CUDA();
  const int64_t n = 1001;  // the kernels see pointers 4 bytes past a 256-byte boundary
  const Tensor a = random_tensor({n + 1}, 43, -1, 1, false), b = random_tensor({n + 1}, 44, -1, 1, false);
  const Tensor ag = a.to(Device::CUDA), bg = b.to(Device::CUDA);
  Tensor out_g = zeros({n + 1}, Device::CUDA), d_g = zeros({n + 1}, Device::CUDA), out_c = zeros({n + 1}),
         d_c = zeros({n + 1});
  cpu::add_relu_forward(out_c.data() + 1, a.data() + 1, b.data() + 1, n);
  cuda::add_relu_forward(out_g.data() + 1, ag.data() + 1, bg.data() + 1, n);
  cpu::add_relu_backward(d_c.data() + 1, a.data() + 1, out_c.data() + 1, n);
  cuda::add_relu_backward(d_g.data() + 1, ag.data() + 1, out_g.data() + 1, n);
  EXPECT_EQ(out_g.to_vector(), out_c.to_vector());
  EXPECT_EQ(d_g.to_vector(), d_c.to_vector());
}

TEST(CudaNarrowCols, ForwardAndBackwardMatchCpu) {
  DL_REQUIRE_CUDA();
  struct Case {
    int64_t N, D, begin, end;
  };
  for (Case c : {Case{8, 16, 0, 8}, Case{8, 16, 8, 16}, Case{7, 13, 2, 11}, Case{256, 256, 128, 256},
                 Case{3, 5, 0, 5}, Case{1, 4, 3, 4}}) {
    Tensor x = random_tensor({c.N, c.D}, 51);
    expect_cuda_matches_cpu([c](const std::vector<Tensor>& in) { return narrow_cols(in[0], c.begin, c.end); }, {x},
                            {0.0, 0.0f, 0.0f},
                            "narrow_cols " + x.shape().str() + " [" + std::to_string(c.begin) + ", " +
                                std::to_string(c.end) + ")");
  }
  // The VAE's use: mu and logvar from one tensor, both used (the gradient is the sum of two scatters).
  Tensor stats = random_tensor({8, 16}, 52);
  expect_cuda_matches_cpu(
      [](const std::vector<Tensor>& in) {
        return add(mul(narrow_cols(in[0], 0, 8), narrow_cols(in[0], 0, 8)), exp(narrow_cols(in[0], 8, 16)));
      },
      {stats}, {1e-12, 1e-6f, 1e-5f}, "narrow_cols mu/logvar");
}

// The forward's saved dS (= d loss / d S) and loss, kernel level, both forms; then the backward
// with dloss = 2 (the scaling by the upstream gradient).
TEST(CudaNtXent, ForwardWritesLossAndGradientOfS) {
  DL_REQUIRE_CUDA();
  for (auto [N, D] : {std::pair<int64_t, int64_t>{256, 128}, {7, 5}, {1, 3}}) {
    for (bool standard : {false, true}) {
      SCOPED_TRACE((standard ? "nt_xent N=" : "cross_view N=") + std::to_string(N));
      const int64_t R = standard ? 2 * N : N;
      const Tensor a = random_tensor({N, D}, 61, -0.3f, 0.3f, false), b = random_tensor({N, D}, 62, -0.3f, 0.3f, false);
      const Tensor ag = a.to(Device::CUDA), bg = b.to(Device::CUDA);
      Tensor loss_c = zeros({1}), dS_c = zeros({R, R}), da_c = zeros({N, D}), db_c = zeros({N, D});
      Tensor loss_g = zeros({1}, Device::CUDA), dS_g = zeros({R, R}, Device::CUDA);
      Tensor da_g = zeros({N, D}, Device::CUDA), db_g = zeros({N, D}, Device::CUDA);
      const Tensor dloss_c = from_vector({2.0f}, {1}), dloss_g = dloss_c.to(Device::CUDA);
      const float tau = 0.1f;
      if (standard) {
        cpu::nt_xent_forward(loss_c.data(), dS_c.data(), a.data(), b.data(), N, D, tau);
        cuda::nt_xent_forward(loss_g.data(), dS_g.data(), ag.data(), bg.data(), N, D, tau);
        cpu::nt_xent_backward(da_c.data(), db_c.data(), dloss_c.data(), a.data(), b.data(), dS_c.data(), N, D, tau);
        cuda::nt_xent_backward(da_g.data(), db_g.data(), dloss_g.data(), ag.data(), bg.data(), dS_g.data(), N, D, tau);
      } else {
        cpu::nt_xent_cross_view_forward(loss_c.data(), dS_c.data(), a.data(), b.data(), N, D, tau);
        cuda::nt_xent_cross_view_forward(loss_g.data(), dS_g.data(), ag.data(), bg.data(), N, D, tau);
        cpu::nt_xent_cross_view_backward(da_c.data(), db_c.data(), dloss_c.data(), a.data(), b.data(), dS_c.data(), N,
                                         D, tau);
        cuda::nt_xent_cross_view_backward(da_g.data(), db_g.data(), dloss_g.data(), ag.data(), bg.data(),
                                          dS_g.data(), N, D, tau);
      }
      EXPECT_NEAR(loss_g.to_vector()[0], loss_c.to_vector()[0], 1e-5 * std::abs(loss_c.to_vector()[0]) + 1e-6);
      // Every row of dS sums to 0 (softmax minus one-hot) and its diagonal is 0 for the 2N form.
      const std::vector<float> dS = dS_g.to_vector();
      for (int64_t i = 0; i < R; ++i) {
        double row = 0.0;
        for (int64_t j = 0; j < R; ++j) row += dS[i * R + j];
        EXPECT_NEAR(row, 0.0, 1e-6) << "row " << i;
        if (standard) {
          EXPECT_EQ(dS[i * R + i], 0.0f) << "diagonal " << i;
        }
      }
      EXPECT_LE(nmse(dS, dS_c.to_vector()), 1e-9);
      EXPECT_TRUE(all_close(dS, dS_c.to_vector(), 1e-7f, 1e-4f));
      EXPECT_LE(nmse(da_g.to_vector(), da_c.to_vector()), 1e-9);
      EXPECT_LE(nmse(db_g.to_vector(), db_c.to_vector()), 1e-9);
    }
  }
}
