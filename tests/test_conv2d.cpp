// test_conv2d.cpp - conv2d: values and gradients against PyTorch goldens
// (tests/golden/make_conv2d.py), finite-difference gradients on odd shapes, bad shapes, and
// bitwise determinism across OpenMP thread counts; the gradchecks also on the reference kernels
// (fast-vs-ref on every implementation: test_conv2d_plan.cpp).
#include <gtest/gtest.h>
#include <omp.h>

#include <string>

#include "kernels/cpu_kernels.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::all_close;
using dl::test::gradcheck;
using dl::test::random_tensor;

namespace {

Tensor leaf(const Tensor& t) { return t.clone().set_requires_grad(true); }

// Every configuration of the golden file: forward, and gradients for the stored upstream gy.
TEST(Conv2d, MatchesPyTorchGoldens) {
  const NamedTensors g = dl::test::load_golden("conv2d");
  int configs = 0;
  for (const auto& [name, t] : g.tensors) {
    const std::string suffix = ".stride_pad";
    if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string cfg = name.substr(0, name.size() - suffix.size());
    SCOPED_TRACE(cfg);
    const std::vector<float> sp = t.to_vector();
    const bool has_bias = g.contains(cfg + ".b");
    Tensor x = leaf(g.at(cfg + ".x")), w = leaf(g.at(cfg + ".w"));
    Tensor b = has_bias ? leaf(g.at(cfg + ".b")) : Tensor();
    Tensor y = conv2d(x, w, b, static_cast<int>(sp[0]), static_cast<int>(sp[1]));
    EXPECT_TRUE(all_close(y, g.at(cfg + ".y"), 1e-4f, 1e-4f));
    y.backward(g.at(cfg + ".gy"));
    EXPECT_TRUE(all_close(x.grad(), g.at(cfg + ".gx"), 1e-4f, 1e-4f));
    EXPECT_TRUE(all_close(w.grad(), g.at(cfg + ".gw"), 1e-4f, 1e-4f));
    if (has_bias) {
      EXPECT_TRUE(all_close(b.grad(), g.at(cfg + ".gb"), 1e-4f, 1e-4f));
    }
    ++configs;
  }
  EXPECT_EQ(configs, 7);
}

TEST(Conv2d, HandComputedValues) {
  // 1 image, 1 channel 3x3 = 1..9, kernel 2x2 of ones, pad 0, stride 1: sums of 2x2 windows.
  Tensor x = from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = ones({1, 1, 2, 2});
  EXPECT_EQ(conv2d(x, w, Tensor(), 1, 0).to_vector(), (std::vector<float>{12, 16, 24, 28}));
  // pad 1, stride 2, bias 10: windows [-1, 0] and [1, 2] in each direction (zeros outside).
  Tensor b = from_vector({10}, {1});
  EXPECT_EQ(conv2d(x, w, b, 2, 1).to_vector(), (std::vector<float>{11, 15, 21, 38}));
}

TEST(Conv2d, GradcheckK5Stride2Pad1) {
  Tensor x = random_tensor({3, 5, 7, 7}, 11), w = random_tensor({4, 5, 5, 5}, 12, -0.3f, 0.3f);
  Tensor b = random_tensor({4}, 13);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 2, 1); }, {x, w, b}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 2, 1); }, {x, w}));
}

TEST(Conv2d, Gradcheck1x1Stride2Shortcut) {
  Tensor x = random_tensor({2, 6, 5, 5}, 21), w = random_tensor({3, 6, 1, 1}, 22);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 2, 0); }, {x, w}));
}

TEST(Conv2d, Gradcheck3x3Stride1Pad1) {
  Tensor x = random_tensor({3, 4, 6, 5}, 31), w = random_tensor({5, 4, 3, 3}, 32), b = random_tensor({5}, 33);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 1, 1); }, {x, w, b}));
}

TEST(Conv2d, GradcheckPointwiseAndLargeImage) {
  // 1x1 stride 1 on a big plane: the no-im2col path; 3x3 on 34x34: one image per GEMM.
  Tensor x = random_tensor({2, 3, 24, 24}, 41), w = random_tensor({2, 3, 1, 1}, 42);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 1, 0); }, {x, w}));
  Tensor x2 = random_tensor({2, 2, 34, 34}, 43), w2 = random_tensor({2, 2, 3, 3}, 44);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 1, 1); }, {x2, w2}));
}

TEST(Conv2d, WeightGradientAccumulates) {
  Tensor x = random_tensor({2, 3, 5, 5}, 51, -1, 1, false), w = random_tensor({4, 3, 3, 3}, 52);
  Tensor b = random_tensor({4}, 53);
  conv2d(x, w, b, 1, 1).backward(ones({2, 4, 5, 5}));
  const std::vector<float> gw1 = w.grad().to_vector(), gb1 = b.grad().to_vector();
  conv2d(x, w, b, 1, 1).backward(ones({2, 4, 5, 5}));
  const std::vector<float> gw2 = w.grad().to_vector(), gb2 = b.grad().to_vector();
  for (size_t i = 0; i < gw1.size(); ++i) EXPECT_FLOAT_EQ(gw2[i], 2 * gw1[i]);
  for (size_t i = 0; i < gb1.size(); ++i) EXPECT_FLOAT_EQ(gb2[i], 2 * gb1[i]);
  EXPECT_FLOAT_EQ(gb1[0], 50.0f);  // dL/db = sum of the upstream ones over N, OH, OW
}

TEST(Conv2d, BadShapesNameTheShapes) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string m1 = message([] { conv2d(zeros({2, 3, 8, 8}), zeros({4, 5, 3, 3}), Tensor(), 1, 1); });
  EXPECT_NE(m1.find("(2, 3, 8, 8)"), std::string::npos) << m1;
  EXPECT_NE(m1.find("(4, 5, 3, 3)"), std::string::npos) << m1;
  const std::string m2 = message([] { conv2d(zeros({3, 8, 8}), zeros({4, 3, 3, 3}), Tensor(), 1, 1); });
  EXPECT_NE(m2.find("(3, 8, 8)"), std::string::npos) << m2;
  const std::string m3 = message([] { conv2d(zeros({1, 3, 2, 2}), zeros({4, 3, 5, 5}), Tensor(), 1, 1); });
  EXPECT_NE(m3.find("(4, 3, 5, 5)"), std::string::npos) << m3;
  EXPECT_NE(m3.find("(1, 3, 2, 2)"), std::string::npos) << m3;
  EXPECT_THROW(conv2d(zeros({1, 3, 8, 8}), zeros({4, 3, 3}), Tensor(), 1, 1), Error);
  EXPECT_THROW(conv2d(zeros({1, 3, 8, 8}), zeros({4, 3, 3, 3}), zeros({3}), 1, 1), Error);
  EXPECT_THROW(conv2d(zeros({1, 3, 8, 8}), zeros({4, 3, 3, 3}), Tensor(), 0, 1), Error);
  EXPECT_NO_THROW(conv2d(zeros({1, 3, 1, 1}), zeros({4, 3, 3, 3}), Tensor(), 1, 1));  // 1x1 padded to 3x3
}

// Same inputs -> bitwise-identical outputs and gradients with 1 and 2 OpenMP threads. The shapes
// cover the parallel path (several blocks, 2-4 dweight groups, one or several images per block)
// and the small serial path (where a 2-thread OpenBLAS GEMM once changed the bits).
TEST(Conv2d, DeterministicAcrossThreadCounts) {
  struct Cfg {
    Shape x, w;
    int stride, pad;
  };
  const Cfg cfgs[] = {{{16, 32, 4, 4}, {48, 32, 3, 3}, 1, 1},
                      {{6, 8, 16, 16}, {8, 8, 3, 3}, 1, 1},
                      {{8, 16, 9, 9}, {24, 16, 1, 1}, 2, 0},
                      {{12, 16, 16, 16}, {16, 16, 3, 3}, 1, 1},
                      {{4, 8, 32, 32}, {8, 8, 3, 3}, 1, 1}};
  const int saved = omp_get_max_threads();
  for (const Cfg& c : cfgs) {
    std::vector<std::vector<float>> results[2];
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      Tensor x = random_tensor(c.x, 61), w = random_tensor(c.w, 62), b = random_tensor({c.w[0]}, 63);
      Tensor y = conv2d(x, w, b, c.stride, c.pad);
      y.backward(random_tensor(y.shape(), 64, -1, 1, false));
      results[threads - 1] = {y.to_vector(), x.grad().to_vector(), w.grad().to_vector(), b.grad().to_vector()};
    }
    for (size_t k = 0; k < 4; ++k) EXPECT_TRUE(results[0][k] == results[1][k]) << c.x.str() << " output " << k;
  }
  omp_set_num_threads(saved);
}

}  // namespace

// The finite-difference checks again with the reference kernels (kernels/ref/conv2d.h) selected:
// the oracle's own gradients are checked, not only the fast ones.
TEST(Conv2dRef, GradcheckOnRefKernels) {
  dl::ScopedCpuKernels ref(dl::CpuKernels::Ref);
  Tensor x = random_tensor({3, 5, 7, 7}, 11), w = random_tensor({4, 5, 5, 5}, 12, -0.3f, 0.3f);
  Tensor b = random_tensor({4}, 13);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 2, 1); }, {x, w, b}));
  Tensor x1 = random_tensor({2, 6, 5, 5}, 21), w1 = random_tensor({3, 6, 1, 1}, 22);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), 2, 0); }, {x1, w1}));
  Tensor x3 = random_tensor({3, 4, 6, 5}, 31), w3 = random_tensor({5, 4, 3, 3}, 32), b3 = random_tensor({5}, 33);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], 1, 1); }, {x3, w3, b3}));
}
