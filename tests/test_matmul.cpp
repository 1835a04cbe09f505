// test_matmul.cpp - matmul (all transpose combinations) and linear: values and gradients.
#include <gtest/gtest.h>

#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::gradcheck;
using dl::test::random_tensor;

TEST(Matmul, Values) {
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector({1, 0, 0, 1, 1, 1}, {3, 2});
  EXPECT_EQ(matmul(a, b).to_vector(), (std::vector<float>{4, 5, 10, 11}));
  EXPECT_EQ(matmul(a, a, false, true).to_vector(), (std::vector<float>{14, 32, 32, 77}));
  EXPECT_EQ(matmul(a, a, true, false).shape(), (Shape{3, 3}));
}

TEST(Matmul, GradientsAllTransposes) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      Tensor a = random_tensor(ta ? Shape{5, 3} : Shape{3, 5}, 1);
      Tensor b = random_tensor(tb ? Shape{4, 5} : Shape{5, 4}, 2);
      EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return matmul(in[0], in[1], ta, tb); }, {a, b}))
          << "trans_a=" << ta << " trans_b=" << tb;
    }
}

TEST(Matmul, ShapeMismatchNamesShapes) {
  try {
    matmul(zeros({2, 3}), zeros({4, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(4, 5)"), std::string::npos);
  }
}

TEST(Linear, ValuesAndGradients) {
  Tensor x = from_vector({1, 2}, {1, 2});
  Tensor w = from_vector({1, 1, 2, -1}, {2, 2});
  Tensor b = from_vector({10, 20}, {2});
  EXPECT_EQ(linear(x, w, b).to_vector(), (std::vector<float>{13, 20}));
  EXPECT_EQ(linear(x, w).to_vector(), (std::vector<float>{3, 0}));
  Tensor xs = random_tensor({7, 6}, 3), ws = random_tensor({5, 6}, 4), bs = random_tensor({5}, 5);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {xs, ws, bs}));
  EXPECT_THROW(linear(zeros({2, 3}), zeros({4, 5})), Error);
  EXPECT_THROW(linear(zeros({2, 3}), zeros({4, 3}), zeros({3})), Error);
}

TEST(ShapeOps, ReshapeFlattenNarrow) {
  Tensor x = random_tensor({2, 3, 2, 2}, 6);
  EXPECT_EQ(flatten(x).shape(), (Shape{2, 12}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return reshape(in[0], {4, 6}); }, {x}));
  Tensor m = random_tensor({3, 8}, 7);
  Tensor right = narrow_cols(m, 4, 8);
  EXPECT_EQ(right.to_vector()[0], m.to_vector()[4]);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return narrow_cols(in[0], 2, 5); }, {m}));
  EXPECT_THROW(narrow_cols(m, 5, 9), Error);
}
