// test_batchnorm_ref.cpp - the fast CPU batchnorm and batchnorm+ReLU kernels (kernels/cpu/
// batchnorm.h) against the reference (kernels/ref/batchnorm.h) on every path the fast code has:
// (N, C) inputs (channel blocks of 64, a partial block, above and below the parallel threshold)
// and (N, C, S) inputs (odd planes, 8-lane rows with tails); training and eval; weight and bias
// present or null; the parameter gradients accumulate. Then the gradchecks on the reference.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/cpu/batchnorm.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/batchnorm.h"
#include "tests/gradcheck.h"

namespace {

using dl::test::all_close;
using dl::test::lcg_values;

struct Case {
  int64_t N, C, S;
  bool training, affine, relu;
};

std::string str(const Case& c) {
  return "(" + std::to_string(c.N) + ", " + std::to_string(c.C) + ", " + std::to_string(c.S) + ")" +
         (c.training ? " train" : " eval") + (c.affine ? " affine" : " no weight/bias") + (c.relu ? " relu" : "");
}

// All outputs of forward + backward with one kernel set: out, mean, rstd, running stats, dx, dw, db.
std::vector<std::vector<float>> run(const Case& c, bool fast) {
  const int64_t n = c.N * c.C * c.S;
  std::vector<float> x = lcg_values(n, 1), dy = lcg_values(n, 2);
  for (float& v : x) v = 3.0f * v + 0.5f;  // a mean away from 0
  const std::vector<float> w = lcg_values(c.C, 3), b = lcg_values(c.C, 4);
  std::vector<float> rm = lcg_values(c.C, 5), rv = lcg_values(c.C, 6);
  for (float& v : rv) v = 1.5f + v;  // positive variances
  std::vector<float> out(n), mean(c.C), rstd(c.C), dx(n, 7.0f), dw = lcg_values(c.C, 8), db = lcg_values(c.C, 9);
  const float* wp = c.affine ? w.data() : nullptr;
  const float* bp = c.affine ? b.data() : nullptr;
  if (c.relu) {
    auto fwd = fast ? dl::cpu::batchnorm_relu_forward : dl::ref::batchnorm_relu_forward;
    auto bwd = fast ? dl::cpu::batchnorm_relu_backward : dl::ref::batchnorm_relu_backward;
    fwd(out.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), wp, bp, c.N, c.C, c.S, c.training, 0.1f,
        1e-5f);
    bwd(dx.data(), dw.data(), db.data(), dy.data(), x.data(), wp, bp, mean.data(), rstd.data(), c.N, c.C, c.S,
        c.training);
  } else {
    auto fwd = fast ? dl::cpu::batchnorm_forward : dl::ref::batchnorm_forward;
    auto bwd = fast ? dl::cpu::batchnorm_backward : dl::ref::batchnorm_backward;
    fwd(out.data(), mean.data(), rstd.data(), rm.data(), rv.data(), x.data(), wp, bp, c.N, c.C, c.S, c.training, 0.1f,
        1e-5f);
    bwd(dx.data(), dw.data(), db.data(), dy.data(), x.data(), wp, mean.data(), rstd.data(), c.N, c.C, c.S, c.training);
  }
  return {out, mean, rstd, rm, rv, dx, dw, db};
}

TEST(BatchnormRef, FastMatchesRef) {
  const char* names[] = {"out", "mean", "rstd", "running_mean", "running_var", "dinp", "dweight", "dbias"};
  std::vector<Case> cases;
  for (bool training : {true, false})
    for (bool affine : {true, false}) {
      cases.push_back({6, 5, 1, training, affine, false});      // (N, C): one partial channel block
      cases.push_back({256, 130, 1, training, affine, false});  // three blocks, above the parallel threshold
      cases.push_back({3, 4, 35, training, affine, false});     // odd plane: 8-lane rows and a tail
      cases.push_back({16, 8, 144, training, affine, false});   // parallel over channels
      cases.push_back({3, 4, 35, training, affine, true});      // the fused relu
      cases.push_back({16, 8, 144, training, affine, true});
    }
  for (const Case& c : cases) {
    const auto ref = run(c, false), fast = run(c, true);
    for (size_t k = 0; k < ref.size(); ++k) {
      // Sums over M = N S values of size ~3: float lanes vs double, relative 1e-5 of the sum's scale.
      const float atol = k == 6 || k == 7 ? 2e-5f * c.N * c.S : 2e-5f;
      EXPECT_TRUE(all_close(fast[k], ref[k], atol, 1e-4f)) << str(c) << ": " << names[k];
    }
  }
}

TEST(BatchnormRef, GradcheckOnRefKernels) {
  dl::ScopedCpuKernels ref(dl::CpuKernels::Ref);
  for (const dl::Shape& shape : {dl::Shape{6, 4}, dl::Shape{3, 5, 7, 7}}) {
    const int64_t C = shape[1];
    dl::Tensor x = dl::test::random_tensor(shape, 1, -2, 2), w = dl::test::random_tensor({C}, 2, 0.5f, 1.5f);
    dl::Tensor b = dl::test::random_tensor({C}, 3);
    for (bool training : {true, false}) {
      auto f = [C, training](const std::vector<dl::Tensor>& in) {
        dl::Tensor rm = dl::full({C}, 0.1f), rv = dl::full({C}, 1.3f);  // fresh: each forward sees the same state
        return dl::batchnorm(in[0], in[1], in[2], rm, rv, training, 0.1f, 1e-5f);
      };
      EXPECT_TRUE(dl::test::gradcheck(f, {x, w, b})) << shape.str() << (training ? " train" : " eval");
    }
  }
}

}  // namespace
