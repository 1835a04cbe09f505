// test_optim.cpp - Adam, AdamW, SGD (momentum + dampening, Nesterov) against PyTorch 1.13 over five
// steps (tests/golden/make_nn.py), LARS against its formula, schedules, state round trip.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/adam.h"
#include "kernels/cpu/sgd.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/adam.h"
#include "kernels/ref/sgd.h"
#include "nn/adam.h"
#include "nn/lars.h"
#include "nn/layers.h"
#include "nn/schedule.h"
#include "nn/sgd.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using namespace dl::nn;
using dl::test::all_close;

namespace {

// The golden problem: Linear(3 -> 4), loss 0.5 sum((x W^T + b - y)^2), so dL/dout = out - y
// (computed here on the host: the test is about the optimizers, not the loss ops).
void run_case(const std::string& prefix, const std::function<std::unique_ptr<Optimizer>(NamedTensorList)>& make) {
  const NamedTensors g = dl::test::load_golden("nn");
  Generator gen(0);
  Linear lin(3, 4, true, gen);
  lin.load_state(g, prefix + ".p.", false);
  const Tensor x = g.at(prefix + ".x"), y = g.at(prefix + ".y");
  auto opt = make(lin.named_parameters());
  for (int step = 1; step <= 5; ++step) {
    opt->zero_grad();
    Tensor out = lin(x);
    std::vector<float> o = out.to_vector(), t = y.to_vector();
    for (size_t i = 0; i < o.size(); ++i) o[i] -= t[i];
    backward(out, from_vector(o, out.shape()));
    opt->step();
    if (step == 1 || step == 5) {
      const std::string s = prefix + ".step" + std::to_string(step);
      EXPECT_TRUE(all_close(lin.weight, g.at(s + ".weight"), 1e-5f, 1e-5f)) << s;
      EXPECT_TRUE(all_close(lin.bias, g.at(s + ".bias"), 1e-5f, 1e-5f)) << s;
    }
  }
  EXPECT_EQ(opt->steps_taken(), 5);
}

}  // namespace

TEST(Optim, AdamMatchesPyTorch) {
  run_case("adam", [](NamedTensorList p) {
    AdamOptions o;
    o.lr = 0.1f, o.weight_decay = 0.01f;
    return std::make_unique<Adam>(std::move(p), o);
  });
}

TEST(Optim, AdamWMatchesPyTorch) {
  run_case("adamw", [](NamedTensorList p) { return std::make_unique<Adam>(std::move(p), adamw_options(0.1f, 0.1f)); });
}

TEST(Optim, SgdMomentumDampeningMatchesPyTorch) {
  run_case("sgd", [](NamedTensorList p) {
    SGDOptions o;
    o.lr = 0.05f, o.momentum = 0.9f, o.dampening = 0.1f, o.weight_decay = 0.01f;
    return std::make_unique<SGD>(std::move(p), o);
  });
}

TEST(Optim, SgdNesterovMatchesPyTorch) {
  run_case("nesterov", [](NamedTensorList p) {
    SGDOptions o;
    o.lr = 0.05f, o.momentum = 0.9f, o.nesterov = true, o.weight_decay = 0.01f;
    return std::make_unique<SGD>(std::move(p), o);
  });
}

// The same PyTorch goldens with the plain kernels selected (kernels/ref/adam, kernels/ref/sgd).
TEST(OptimRef, PyTorchGoldensOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  run_case("adam", [](NamedTensorList p) {
    AdamOptions o;
    o.lr = 0.1f, o.weight_decay = 0.01f;
    return std::make_unique<Adam>(std::move(p), o);
  });
  run_case("adamw", [](NamedTensorList p) { return std::make_unique<Adam>(std::move(p), adamw_options(0.1f, 0.1f)); });
  run_case("sgd", [](NamedTensorList p) {
    SGDOptions o;
    o.lr = 0.05f, o.momentum = 0.9f, o.dampening = 0.1f, o.weight_decay = 0.01f;
    return std::make_unique<SGD>(std::move(p), o);
  });
  run_case("nesterov", [](NamedTensorList p) {
    SGDOptions o;
    o.lr = 0.05f, o.momentum = 0.9f, o.nesterov = true, o.weight_decay = 0.01f;
    return std::make_unique<SGD>(std::move(p), o);
  });
}

TEST(Optim, BadOptionsAreErrors) {
  Tensor p = zeros({2}).set_requires_grad(true);
  SGDOptions nest;
  nest.nesterov = true;  // momentum 0
  EXPECT_THROW(SGD({{"p", p}}, nest), Error);
  AdamOptions bad;
  bad.beta1 = 1.0f;
  EXPECT_THROW(Adam({{"p", p}}, bad), Error);
  EXPECT_THROW(Adam({{"p", zeros({2})}}, AdamOptions{}), Error);  // not requiring grad
}

// A parameter without a gradient is skipped and its step count stays (PyTorch: grad None).
TEST(Optim, ParametersWithoutGradientAreSkipped) {
  Tensor a = from_vector({1, 2}, {2}).set_requires_grad(true);
  Tensor b = from_vector({3, 4}, {2}).set_requires_grad(true);
  Adam opt({{"a", a}, {"b", b}}, AdamOptions{});
  a.set_grad(from_vector({1, -1}, {2}));
  opt.step();
  EXPECT_EQ(b.to_vector(), (std::vector<float>{3, 4}));
  // First Adam step moves each element by lr * sign(g) (up to eps).
  EXPECT_NEAR(a.to_vector()[0], 1.0f - 1e-3f, 1e-6f);
  EXPECT_NEAR(a.to_vector()[1], 2.0f + 1e-3f, 1e-6f);
  EXPECT_EQ(opt.state().back().second.to_vector_i32(), (std::vector<int32_t>{1, 0}));
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

// LARS: adapted (2-d) parameters get trust * ||p|| / (||g|| + wd ||p|| + eps) * (g + wd p);
// 1-d ones (biases, BN) plain g with no decay. Momentum 0 here so one step shows the scaling.
TEST(Optim, LarsScalesAdaptedParametersOnly) {
  Tensor w = from_vector({3, 4, 0, 0}, {2, 2}).set_requires_grad(true);  // ||w|| = 5
  Tensor b = from_vector({1, 1}, {2}).set_requires_grad(true);
  LARSOptions o;
  o.lr = 1.0f, o.momentum = 0.0f, o.weight_decay = 0.1f, o.trust_coefficient = 0.01f, o.eps = 0.0f;
  LARS opt({{"w", w}, {"b", b}}, o);
  w.set_grad(from_vector({0, 0, 6, 8}, {2, 2}));  // ||g|| = 10
  b.set_grad(from_vector({0.5f, -0.5f}, {2}));
  opt.step();
  const float ratio = 0.01f * 5.0f / (10.0f + 0.1f * 5.0f);
  const std::vector<float> wv = w.to_vector();
  const float expect[4] = {3 - ratio * 0.3f, 4 - ratio * 0.4f, -ratio * 6, -ratio * 8};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(wv[i], expect[i], 1e-6f) << i;
  EXPECT_EQ(b.to_vector(), (std::vector<float>{0.5f, 1.5f}));
}

TEST(Optim, LarsMomentumFollowsSgd) {
  // With trust ratio forced to apply identically, LARS with excluded params equals SGD.
  Tensor p1 = from_vector({1, 2, 3}, {3}).set_requires_grad(true);
  Tensor p2 = from_vector({1, 2, 3}, {3}).set_requires_grad(true);
  LARSOptions lo;
  lo.lr = 0.1f, lo.momentum = 0.9f, lo.weight_decay = 0.5f;
  SGDOptions so;
  so.lr = 0.1f, so.momentum = 0.9f;  // excluded params get no decay in LARS
  LARS lars({{"p", p1}}, lo);
  SGD sgd({{"p", p2}}, so);
  for (int i = 0; i < 3; ++i) {
    p1.set_grad(from_vector({0.1f * i, -1, 2}, {3}));
    p2.set_grad(from_vector({0.1f * i, -1, 2}, {3}));
    lars.step();
    sgd.step();
  }
  EXPECT_EQ(p1.to_vector(), p2.to_vector());
}

TEST(Optim, StateRoundTripContinuesIdentically) {
  auto make = [](Tensor p) { return std::make_unique<Adam>(NamedTensorList{{"p", p}}, AdamOptions{}); };
  Tensor p = from_vector({1, -2, 3}, {3}).set_requires_grad(true);
  auto opt = make(p);
  for (int i = 0; i < 3; ++i) {
    p.set_grad(from_vector({0.5f, 0.25f * i, -1}, {3}));
    opt->step();
  }
  NamedTensors saved;
  for (auto& [n, t] : opt->state()) saved.tensors.emplace_back(n, t.clone());
  EXPECT_TRUE(saved.contains("optim.exp_avg.p") && saved.contains("optim.exp_avg_sq.p"));

  Tensor q = p.detach().clone().set_requires_grad(true);
  auto resumed = make(q);
  resumed->load_state(saved);
  EXPECT_EQ(resumed->steps_taken(), 3);
  p.set_grad(from_vector({1, 1, 1}, {3}));
  q.set_grad(from_vector({1, 1, 1}, {3}));
  opt->step();
  resumed->step();
  EXPECT_EQ(p.to_vector(), q.to_vector());

  NamedTensors bad = saved;
  bad.tensors[0].second = zeros({4});
  EXPECT_THROW(resumed->load_state(bad), Error);
  NamedTensors no_steps = saved;
  no_steps.tensors.pop_back();
  EXPECT_THROW(resumed->load_state(no_steps), Error);
}

TEST(Schedule, ConstantAndWarmupCosine) {
  EXPECT_FLOAT_EQ(ConstantLr(3e-4f).lr(12345), 3e-4f);
  WarmupCosineLr s(1.0f, 10, 110, 0.0f);
  EXPECT_FLOAT_EQ(s.lr(0), 0.1f);
  EXPECT_FLOAT_EQ(s.lr(9), 1.0f);
  EXPECT_FLOAT_EQ(s.lr(10), 1.0f);
  EXPECT_NEAR(s.lr(60), 0.5f, 1e-6f);
  EXPECT_NEAR(s.lr(109), 0.5f * (1 + std::cos(M_PI * 99.0 / 100.0)), 1e-6f);
  EXPECT_FLOAT_EQ(s.lr(110), 0.0f);
  EXPECT_THROW(WarmupCosineLr(1.0f, 10, 10), Error);
}

// Fast (kernels/cpu/adam, kernels/cpu/sgd: OpenMP above 65536 elements; sum_squares in 16384-term
// chunks, parallel above 4 chunks) against plain (kernels/ref). Several steps of every option
// combination the optimizers pass. The per-element formulas are the same float arithmetic up to
// the compiler fusing multiply-adds differently: rtol 1e-6, atol 1e-7 after three steps;
// sum_squares (double on both sides, another order) rtol 1e-12.
namespace {

const int64_t kOptimSizes[] = {1, 7, 8, 9, 65537, 100003};

}  // namespace

TEST(OptimRef, AdamFastMatchesRef) {
  struct Config {
    bool decoupled;
    float weight_decay;
  };
  for (const Config c : {Config{false, 0.0f}, Config{false, 0.01f}, Config{true, 0.05f}})
    for (int64_t n : kOptimSizes) {
      std::vector<float> p_fast = test::lcg_values(n, 171), m_fast(n, 0.0f), v_fast(n, 0.0f);
      std::vector<float> p_ref = p_fast, m_ref = m_fast, v_ref = v_fast;
      const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
      for (int t = 1; t <= 3; ++t) {
        const std::vector<float> g = test::lcg_values(n, 172 + t);
        const float bc1 = static_cast<float>(1.0 - std::pow(0.9, t));
        const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(0.999, t)));
        cpu::adam_update(p_fast.data(), m_fast.data(), v_fast.data(), g.data(), n, lr, beta1, beta2, eps,
                         c.weight_decay, c.decoupled, bc1, bc2_sqrt);
        ref::adam_update(p_ref.data(), m_ref.data(), v_ref.data(), g.data(), n, lr, beta1, beta2, eps, c.weight_decay,
                         c.decoupled, bc1, bc2_sqrt);
      }
      const std::string where = "n " + std::to_string(n) + (c.decoupled ? " AdamW" : " Adam") + " wd " +
                                std::to_string(c.weight_decay);
      EXPECT_TRUE(all_close(p_fast, p_ref, 1e-7f, 1e-6f)) << where;
      EXPECT_TRUE(all_close(m_fast, m_ref, 1e-7f, 1e-6f)) << where;
      EXPECT_TRUE(all_close(v_fast, v_ref, 1e-7f, 1e-6f)) << where;
    }
}

TEST(OptimRef, SgdFastMatchesRef) {
  struct Config {
    float momentum, dampening, weight_decay, grad_scale;
    bool nesterov;
  };
  const Config configs[] = {{0.0f, 0.0f, 0.0f, 1.0f, false},    // plain SGD, no buffer (null)
                            {0.9f, 0.1f, 0.01f, 1.0f, false},   // momentum + dampening + decay
                            {0.9f, 0.0f, 0.01f, 1.0f, true},    // Nesterov
                            {0.9f, 0.0f, 0.0005f, 0.7f, false}};  // LARS: a trust ratio
  for (const Config& c : configs)
    for (int64_t n : kOptimSizes) {
      std::vector<float> p_fast = test::lcg_values(n, 181), buf_fast(n, 0.0f);
      std::vector<float> p_ref = p_fast, buf_ref = buf_fast;
      float* bf = c.momentum != 0.0f ? buf_fast.data() : nullptr;
      float* br = c.momentum != 0.0f ? buf_ref.data() : nullptr;
      for (int t = 1; t <= 3; ++t) {
        const std::vector<float> g = test::lcg_values(n, 182 + t);
        cpu::sgd_update(p_fast.data(), bf, g.data(), n, 0.05f, c.momentum, c.dampening, c.weight_decay, c.nesterov,
                        t == 1, c.grad_scale);
        ref::sgd_update(p_ref.data(), br, g.data(), n, 0.05f, c.momentum, c.dampening, c.weight_decay, c.nesterov,
                        t == 1, c.grad_scale);
      }
      const std::string where = "n " + std::to_string(n) + " momentum " + std::to_string(c.momentum) +
                                (c.nesterov ? " nesterov" : "") + " scale " + std::to_string(c.grad_scale);
      EXPECT_TRUE(all_close(p_fast, p_ref, 1e-7f, 1e-6f)) << where;
      EXPECT_TRUE(all_close(buf_fast, buf_ref, 1e-7f, 1e-6f)) << where;
    }
}

// lars_update: the fast and the plain kernels agree, and a zero gradient (no trust ratio) is a
// plain SGD step without weight decay.
TEST(OptimRef, LarsFastMatchesRef) {
  for (int64_t n : kOptimSizes) {
    std::vector<float> p_fast = test::lcg_values(n, 191), buf_fast(n, 0.0f);
    std::vector<float> p_ref = p_fast, buf_ref = buf_fast;
    for (int t = 1; t <= 3; ++t) {
      const std::vector<float> g = test::lcg_values(n, 192 + t);
      cpu::lars_update(p_fast.data(), buf_fast.data(), g.data(), n, 0.5f, 0.9f, 0.0f, 1e-4f, false, t == 1, 1e-2f,
                       1e-8f);
      ref::lars_update(p_ref.data(), buf_ref.data(), g.data(), n, 0.5f, 0.9f, 0.0f, 1e-4f, false, t == 1, 1e-2f,
                       1e-8f);
    }
    EXPECT_TRUE(all_close(p_fast, p_ref, 1e-7f, 1e-6f)) << "n " << n;
    EXPECT_TRUE(all_close(buf_fast, buf_ref, 1e-7f, 1e-6f)) << "n " << n;
    if (n == 0) continue;
    std::vector<float> p_lars = test::lcg_values(n, 197), buf_lars(n, 0.0f), p_sgd = p_lars, buf_sgd = buf_lars;
    const std::vector<float> zero(n, 0.0f);
    cpu::lars_update(p_lars.data(), buf_lars.data(), zero.data(), n, 0.5f, 0.9f, 0.0f, 1e-4f, false, true, 1e-2f,
                     1e-8f);
    cpu::sgd_update(p_sgd.data(), buf_sgd.data(), zero.data(), n, 0.5f, 0.9f, 0.0f, 0.0f, false, true, 1.0f);
    EXPECT_EQ(p_lars, p_sgd) << "n " << n << ": a zero gradient must not apply weight decay";
  }
}

TEST(OptimRef, SumSquaresFastMatchesRef) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{16384}, int64_t{16385}, int64_t{4 * 16384 + 1}, int64_t{300007}}) {
    const std::vector<float> x = test::lcg_values(n, 191);
    const double fast = cpu::sum_squares(x.data(), n), plain = ref::sum_squares(x.data(), n);
    EXPECT_NEAR(fast, plain, 1e-12 * plain) << n;
  }
}
