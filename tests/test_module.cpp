// test_module.cpp - the module system (names, modes, zero_grad, counting, load_state) and the
// layers' PyTorch-default initialization. Networks are in test_networks.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "nn/layers.h"
#include "nn/mlp.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using namespace dl::nn;

namespace {

std::vector<std::string> names(const NamedTensorList& l) {
  std::vector<std::string> out;
  for (const auto& [n, _] : l) out.push_back(n);
  return out;
}

}  // namespace

TEST(Module, RecursiveNamesInPyTorchOrder) {
  Generator gen(1);
  MLP mlp(5, 7, 3, 10.0f, gen);
  EXPECT_EQ(names(mlp.named_parameters()),
            (std::vector<std::string>{"fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(names(mlp.named_buffers()), (std::vector<std::string>{"bn.running_mean", "bn.running_var"}));
  EXPECT_EQ(mlp.state_dict().size(), 8u);
  EXPECT_EQ(mlp.num_parameters(), 5 * 7 + 7 + 7 + 7 + 7 * 3 + 3);
  for (const Tensor& p : mlp.parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
  for (const auto& [n, b] : mlp.named_buffers()) EXPECT_FALSE(b.requires_grad()) << n;

  Sequential seq{std::make_shared<Linear>(2, 3, true, gen), std::make_shared<ReLU>(),
                 std::make_shared<Linear>(3, 1, false, gen)};
  EXPECT_EQ(names(seq.named_parameters()), (std::vector<std::string>{"0.weight", "0.bias", "2.weight"}));
  EXPECT_EQ(seq.size(), 3u);
  EXPECT_THROW(seq.child("7"), Error);
}

TEST(Module, TrainEvalIsRecursiveAndChildrenInheritMode) {
  Generator gen(2);
  ModuleDict model;
  auto mlp = model.add("head", std::make_shared<MLP>(4, 4, 2, 1e-5f, gen));
  EXPECT_TRUE(mlp->bn->is_training());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(mlp->bn->is_training());
  auto late = model.add("late", std::make_shared<Linear>(2, 2, true, gen));
  EXPECT_FALSE(late->is_training());  // added to an eval-mode parent
  model.train();
  EXPECT_TRUE(mlp->bn->is_training() && late->is_training());
  EXPECT_EQ(names(model.named_parameters())[0], "head.fc1.weight");
  EXPECT_THROW(model.add("head", std::make_shared<Linear>(1, 1, true, gen)), Error);  // duplicate name
  EXPECT_THROW(model.forward(zeros({1, 2})), Error);  // containers have no forward
}

TEST(Module, ZeroGradDropsGradients) {
  Generator gen(3);
  Linear lin(3, 2, true, gen);
  Tensor x = dl::test::random_tensor({4, 3}, 9, -1, 1, false);
  backward(lin(x), ones({4, 2}));
  ASSERT_TRUE(lin.weight.grad().defined() && lin.bias.grad().defined());
  EXPECT_FLOAT_EQ(lin.bias.grad().to_vector()[0], 4.0f);  // d sum / d b = N
  lin.zero_grad();
  EXPECT_FALSE(lin.weight.grad().defined());
  EXPECT_FALSE(lin.bias.grad().defined());
}

TEST(Module, ToSameDeviceKeepsHandlesAndLeaves) {
  Generator gen(4);
  Linear lin(3, 2, true, gen);
  Tensor w = lin.weight;
  lin.to(Device::CPU);
  EXPECT_TRUE(lin.weight.same(w));
  EXPECT_EQ(lin.device(), Device::CPU);
  if (device_available(Device::CUDA)) {
    lin.to(Device::CUDA);
    EXPECT_EQ(lin.weight.device(), Device::CUDA);
    EXPECT_TRUE(lin.weight.is_leaf() && lin.weight.requires_grad());
    lin.to(Device::CPU);
    EXPECT_EQ(lin.weight.to_vector(), w.to_vector());
  }
}

// kaiming_uniform_(a=sqrt(5)) and the bias rule: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BN 1/0/0/1.
TEST(Module, PyTorchDefaultInitialization) {
  Generator gen(5);
  Conv2d conv(6, 8, 3, 1, 1, true, gen);
  const float bound = 1.0f / std::sqrt(6.0f * 9.0f);
  float wmax = 0, bmax = 0;
  for (float v : conv.weight.to_vector()) wmax = std::max(wmax, std::fabs(v));
  for (float v : conv.bias.to_vector()) bmax = std::max(bmax, std::fabs(v));
  EXPECT_LE(wmax, bound);
  EXPECT_GT(wmax, 0.9f * bound);  // 432 draws fill the interval
  EXPECT_LE(bmax, bound);
  EXPECT_EQ(conv.weight.shape(), (Shape{8, 6, 3, 3}));

  BatchNorm2d bn(4);
  EXPECT_EQ(bn.weight.to_vector(), std::vector<float>(4, 1.0f));
  EXPECT_EQ(bn.bias.to_vector(), std::vector<float>(4, 0.0f));
  EXPECT_EQ(bn.running_mean.to_vector(), std::vector<float>(4, 0.0f));
  EXPECT_EQ(bn.running_var.to_vector(), std::vector<float>(4, 1.0f));
  EXPECT_FLOAT_EQ(bn.eps, 1e-5f);
  EXPECT_FLOAT_EQ(bn.momentum, 0.1f);
  EXPECT_FLOAT_EQ(BatchNorm1d(3, 128.0f).eps, 128.0f);

  // Same seed, same weights; different seeds differ.
  Generator a(11), b(11), c(12);
  EXPECT_EQ(Linear(4, 3, true, a).weight.to_vector(), Linear(4, 3, true, b).weight.to_vector());
  EXPECT_NE(Linear(4, 3, true, c).weight.to_vector(), Linear(4, 3, true, a).weight.to_vector());
  Conv2d no_bias(2, 2, 1, 1, 0, false, gen);
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.named_parameters().size(), 1u);
}

TEST(Module, LinearForwardIsXWtPlusB) {
  Generator gen(6);
  Linear lin(2, 2, true, gen);
  lin.weight.copy_(from_vector({1, 2, 3, 4}, {2, 2}));
  lin.bias.copy_(from_vector({10, 20}, {2}));
  EXPECT_EQ(lin(from_vector({1, 1}, {1, 2})).to_vector(), (std::vector<float>{13, 27}));
}

TEST(Module, LoadStateChecksNamesAndShapes) {
  Generator gen(7);
  MLP src(3, 4, 2, 1e-5f, gen), dst(3, 4, 2, 1e-5f, gen);
  NamedTensors file;
  file.source = "test.safetensors";
  for (auto& [n, t] : src.state_dict()) file.tensors.emplace_back("m." + n, t.clone());
  dst.load_state(file, "m.");
  for (const auto& [n, t] : dst.state_dict()) EXPECT_EQ(t.to_vector(), file.at("m." + n).to_vector()) << n;

  NamedTensors missing = file;
  missing.tensors.erase(missing.tensors.begin() + 2);  // bn.weight
  try {
    dst.load_state(missing, "m.");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.bn.weight"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test.safetensors"), std::string::npos) << e.what();
  }
  NamedTensors wrong = file;
  wrong.tensors[0].second = zeros({4, 4});
  try {
    dst.load_state(wrong, "m.");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.fc1.weight"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(4, 4)"), std::string::npos) << e.what();
  }
  NamedTensors extra = file;
  extra.tensors.emplace_back("m.fc3.weight", zeros({1}));
  EXPECT_THROW(dst.load_state(extra, "m."), Error);
  EXPECT_NO_THROW(dst.load_state(extra, "m.", /*strict=*/false));
  NamedTensors torch_style = file;  // a PyTorch state_dict also has the BN batch counter
  torch_style.tensors.emplace_back("m.bn.num_batches_tracked", zeros({}));
  EXPECT_NO_THROW(dst.load_state(torch_style, "m."));
}
