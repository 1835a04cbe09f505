// test_add_relu.cpp - relu(a + b) fused (autograd add_relu, kernels cpu::add_relu_*): same values
// and gradients as the composition, gradcheck, the same tensor as both operands, bad shapes.
#include <gtest/gtest.h>

#include "autograd/functions.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

namespace {

using dl::Tensor;

TEST(AddRelu, MatchesReluOfAdd) {
  dl::Generator gen(4);
  for (const dl::Shape& shape : {dl::Shape{3, 5, 7}, dl::Shape{2, 4, 33, 33}}) {
    const Tensor a0 = dl::rand_normal(shape, 0, 1, gen), b0 = dl::rand_normal(shape, 0, 1, gen);
    const Tensor seed = dl::rand_normal(shape, 0, 1, gen);
    auto run = [&](bool fused) {
      Tensor a = a0.clone(), b = b0.clone();
      a.set_requires_grad();
      b.set_requires_grad();
      Tensor y = fused ? dl::add_relu(a, b) : dl::relu(dl::add(a, b));
      dl::backward(y, seed);
      return std::vector<std::vector<float>>{y.to_vector(), a.grad().to_vector(), b.grad().to_vector()};
    };
    const auto f = run(true), r = run(false);
    for (size_t i = 0; i < f.size(); ++i) EXPECT_TRUE(dl::test::all_close(f[i], r[i], 0, 0)) << shape.str() << " " << i;
  }
}

TEST(AddRelu, Gradcheck) {
  dl::Generator gen(6);
  Tensor a = dl::rand_normal({4, 3, 5}, 0, 1, gen), b = dl::rand_normal({4, 3, 5}, 0, 1, gen);
  a.set_requires_grad();
  b.set_requires_grad();
  dl::test::GradcheckOptions opt;
  opt.eps = 1e-3f;  // away from the kink (see test_batchnorm_relu.cpp)
  opt.atol = 5e-3f;
  EXPECT_TRUE(dl::test::gradcheck([](const std::vector<Tensor>& in) { return dl::add_relu(in[0], in[1]); }, {a, b}, opt));
}

TEST(AddRelu, SameTensorTwiceGetsTwiceTheGradient) {
  Tensor x = dl::from_vector({1.0f, -2.0f, 3.0f}, {3});
  x.set_requires_grad();
  dl::backward(dl::sum(dl::add_relu(x, x)));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2.0f, 0.0f, 2.0f}));
}

TEST(AddRelu, BadShapesNameTheShapes) {
  EXPECT_THROW(dl::add_relu(dl::zeros({2, 3}), dl::zeros({3, 2})), dl::Error);
}

}  // namespace
