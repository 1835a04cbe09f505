// test_batchnorm_relu.cpp - the fused batchnorm + ReLU (autograd batchnorm_relu, kernels
// cpu::batchnorm_relu_*): same values, gradients and running stats as relu(batchnorm(...)),
// in train and eval mode, on odd shapes; gradcheck; (N, C) inputs take the composed path.
#include <gtest/gtest.h>

#include "autograd/functions.h"
#include "kernels/cpu_kernels.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

namespace {

using dl::Tensor;

struct Result {
  std::vector<float> y, dx, dw, db, rm, rv;
};

Result run(bool fused, const dl::Shape& shape, bool training) {
  dl::Generator gen(11);
  const int64_t C = shape[1];
  Tensor x = dl::rand_normal(shape, 0.3f, 1.0f, gen);
  Tensor w = dl::rand_uniform({C}, 0.5f, 1.5f, gen), b = dl::rand_uniform({C}, -0.5f, 0.5f, gen);
  Tensor rm = dl::rand_uniform({C}, -0.2f, 0.2f, gen), rv = dl::rand_uniform({C}, 0.5f, 1.5f, gen);
  const Tensor seed = dl::rand_normal(shape, 0.0f, 1.0f, gen);
  x.set_requires_grad();
  w.set_requires_grad();
  b.set_requires_grad();
  Tensor y = fused ? dl::batchnorm_relu(x, w, b, rm, rv, training, 0.1f, 1e-5f)
                   : dl::relu(dl::batchnorm(x, w, b, rm, rv, training, 0.1f, 1e-5f));
  dl::backward(y, seed);
  return {y.to_vector(), x.grad().to_vector(), w.grad().to_vector(), b.grad().to_vector(), rm.to_vector(),
          rv.to_vector()};
}

TEST(BatchNormRelu, MatchesReluOfBatchNorm) {
  for (const dl::Shape& shape : {dl::Shape{4, 3, 5, 7}, dl::Shape{2, 16, 8, 8}, dl::Shape{6, 5}, dl::Shape{40, 130}})
    for (bool training : {true, false}) {
      const Result f = run(true, shape, training), r = run(false, shape, training);
      EXPECT_TRUE(dl::test::all_close(f.y, r.y, 0, 0)) << shape.str() << " training " << training;  // same bits
      EXPECT_TRUE(dl::test::all_close(f.dx, r.dx, 1e-6f, 1e-5f)) << shape.str() << " training " << training;
      EXPECT_TRUE(dl::test::all_close(f.dw, r.dw, 1e-5f, 1e-5f)) << shape.str();
      EXPECT_TRUE(dl::test::all_close(f.db, r.db, 1e-5f, 1e-5f)) << shape.str();
      EXPECT_TRUE(dl::test::all_close(f.rm, r.rm, 0, 0)) << shape.str();
      EXPECT_TRUE(dl::test::all_close(f.rv, r.rv, 0, 0)) << shape.str();
    }
}

void check_gradients() {
  dl::Generator gen(2);
  Tensor x = dl::rand_normal({3, 4, 3, 5}, 0.2f, 1.0f, gen);
  Tensor w = dl::rand_uniform({4}, 0.5f, 1.5f, gen), b = dl::rand_uniform({4}, -0.3f, 0.3f, gen);
  Tensor rm = dl::zeros({4}), rv = dl::ones({4});
  x.set_requires_grad();
  w.set_requires_grad();
  b.set_requires_grad();
  auto f = [&](const std::vector<Tensor>& in) { return dl::batchnorm_relu(in[0], in[1], in[2], rm, rv, true, 0.1f, 1e-5f); };
  // A small step: with the default 1e-2 a central difference can straddle the ReLU kink
  // (seen here on one element); the values and gradients above already equal the composition's.
  dl::test::GradcheckOptions opt;
  opt.eps = 1e-3f;
  opt.atol = 5e-3f;
  EXPECT_TRUE(dl::test::gradcheck(f, {x, w, b}, opt));
}

TEST(BatchNormRelu, Gradcheck) { check_gradients(); }

TEST(BatchNormReluRef, GradcheckOnRefKernels) {
  dl::ScopedCpuKernels ref(dl::CpuKernels::Ref);
  check_gradients();
}

TEST(BatchNormRelu, BadShapesNameTheShapes) {
  Tensor x = dl::zeros({2, 3, 4, 4}), w = dl::ones({5}), b = dl::zeros({3}), rm = dl::zeros({3}), rv = dl::ones({3});
  EXPECT_THROW(dl::batchnorm_relu(x, w, b, rm, rv, true, 0.1f, 1e-5f), dl::Error);
}

}  // namespace
