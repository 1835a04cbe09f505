// test_add_relu.cpp - relu(a + b) fused (autograd add_relu, kernels cpu::add_relu_*): same values
// and gradients as the composition, gradcheck, the same tensor as both operands, bad shapes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "autograd/functions.h"
#include "kernels/cpu/add_relu.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/add_relu.h"
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

void check_gradcheck() {
  dl::Generator gen(6);
  Tensor a = dl::rand_normal({4, 3, 5}, 0, 1, gen), b = dl::rand_normal({4, 3, 5}, 0, 1, gen);
  a.set_requires_grad();
  b.set_requires_grad();
  dl::test::GradcheckOptions opt;
  opt.eps = 1e-3f;  // away from the kink (see test_batchnorm_relu.cpp)
  opt.atol = 5e-3f;
  EXPECT_TRUE(dl::test::gradcheck([](const std::vector<Tensor>& in) { return dl::add_relu(in[0], in[1]); }, {a, b}, opt));
}

TEST(AddRelu, Gradcheck) { check_gradcheck(); }

TEST(AddReluRef, GradcheckOnRefKernels) {
  dl::ScopedCpuKernels ref(dl::CpuKernels::Ref);
  check_gradcheck();
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

// Fast (kernels/cpu/add_relu) against plain (kernels/ref/add_relu): sizes around the vector
// tails and the OpenMP threshold (2^18), plus NaN, infinities and signed zeros. The same float
// formula on both sides: compared bit for bit (NaN must match NaN).
bool same_values(const std::vector<float>& x, const std::vector<float>& y) {
  for (size_t i = 0; i < x.size(); ++i)
    if (!(std::isnan(x[i]) && std::isnan(y[i])) && std::memcmp(&x[i], &y[i], sizeof(float)) != 0) return false;
  return x.size() == y.size();
}

TEST(AddReluRef, FastMatchesRef) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{17}, (int64_t{1} << 18) + 3}) {
    const std::vector<float> a = dl::test::lcg_values(n, 1), b = dl::test::lcg_values(n, 2),
                             g = dl::test::lcg_values(n, 3);
    std::vector<float> out_fast(n), out_ref(n), d_fast(n, 5.0f), d_ref(n, -5.0f);
    dl::cpu::add_relu_forward(out_fast.data(), a.data(), b.data(), n);
    dl::ref::add_relu_forward(out_ref.data(), a.data(), b.data(), n);
    EXPECT_TRUE(same_values(out_fast, out_ref)) << n;
    dl::cpu::add_relu_backward(d_fast.data(), g.data(), out_ref.data(), n);
    dl::ref::add_relu_backward(d_ref.data(), g.data(), out_ref.data(), n);
    EXPECT_TRUE(same_values(d_fast, d_ref)) << n;
  }
}

TEST(AddReluRef, SpecialValuesMatch) {
  const std::vector<float> a = {NAN, 1.0f, INFINITY, INFINITY, -0.0f, 0.0f, -1.0f, 2.0f};
  const std::vector<float> b = {1.0f, NAN, -INFINITY, 1.0f, -0.0f, -0.0f, 1.0f, -1.0f};
  const std::vector<float> g = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, NAN};
  const int64_t n = static_cast<int64_t>(a.size());
  std::vector<float> out_fast(n), out_ref(n), d_fast(n), d_ref(n);
  dl::cpu::add_relu_forward(out_fast.data(), a.data(), b.data(), n);
  dl::ref::add_relu_forward(out_ref.data(), a.data(), b.data(), n);
  EXPECT_TRUE(same_values(out_fast, out_ref));
  EXPECT_TRUE(std::isnan(out_ref[0]));  // a NaN sum passes through the forward
  dl::cpu::add_relu_backward(d_fast.data(), g.data(), out_ref.data(), n);
  dl::ref::add_relu_backward(d_ref.data(), g.data(), out_ref.data(), n);
  EXPECT_TRUE(same_values(d_fast, d_ref));
  EXPECT_EQ(d_ref[0], 0.0f);  // ... but its gradient is blocked (NaN > 0 is false)
}

}  // namespace
