// test_cuda_nn.cpp - the nn:: layer on CUDA, against the same code on the CPU: LARS (its norms and
// trust ratio computed on the GPU by cuda::lars_update), eval mode (BN on
// running statistics, which a training-mode forward has moved, and which an eval forward must
// not move), and a checkpoint round trip of a CUDA model and its Adam state (saved from the
// device, loaded into another model on the device, then one more step bit-identical).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "nn/adam.h"
#include "nn/checkpoint.h"
#include "nn/lars.h"
#include "nn/mlp.h"
#include "nn/resnet_encoder.h"
#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::all_close;
using dl::test::random_tensor;

namespace {

// A small classifier: encoder (width 2) + MLP probe; both devices start from the same seed.
struct Net : nn::Module {
  std::shared_ptr<nn::ResNetEncoder> enc;
  std::shared_ptr<nn::MLP> head;
  explicit Net(uint64_t seed) {
    Generator g(seed);
    enc = register_module("enc", std::make_shared<nn::ResNetEncoder>(2, g));
    head = register_module("head", std::make_shared<nn::MLP>(16, 32, 10, 1e-5f, g));
  }
  Tensor forward(const Tensor& x) override { return head->forward(enc->forward(x)); }
};

Tensor labels_on(Device d) {
  std::vector<int32_t> lab(8);
  for (int i = 0; i < 8; ++i) lab[i] = (5 * i + 2) % 10;
  return from_vector_i32(lab, {8}, d);
}

void expect_same_tensors(const nn::NamedTensorList& gpu, const nn::NamedTensorList& cpu, float atol, float rtol,
                         const std::string& what) {
  ASSERT_EQ(gpu.size(), cpu.size()) << what;
  for (size_t i = 0; i < gpu.size(); ++i) {
    ASSERT_EQ(gpu[i].first, cpu[i].first);
    if (cpu[i].second.dtype() != DType::F32) continue;
    EXPECT_TRUE(all_close(gpu[i].second.to_vector(), cpu[i].second.to_vector(), atol, rtol))
        << what << ": " << cpu[i].first;
  }
}

}  // namespace

TEST(CudaNn, LarsStepsMatchCpu) {
  DL_REQUIRE_CUDA();
  // loss = sum over parameters p of sum(p * c_p) for fixed random c_p: every gradient is exactly
  // c_p on both devices, so the steps differ only by LARS's own rounding (the norms in double,
  // the fused update), not by a network's sensitivity to rounding. The module's parameters mix
  // adapted (conv and linear weights) and excluded (1-d: BN, biases) ones.
  nn::NamedTensorList result[2];
  for (Device d : {Device::CPU, Device::CUDA}) {
    Net net(7);
    net.to(d);
    nn::LARSOptions o;
    o.lr = 0.5f, o.weight_decay = 1e-4f, o.trust_coefficient = 1e-2f;
    const nn::NamedTensorList params = net.named_parameters();
    nn::LARS lars(params, o);
    std::vector<Tensor> coef;
    for (size_t i = 0; i < params.size(); ++i)
      coef.push_back(random_tensor(params[i].second.shape(), 400 + i, -1, 1, false).to(d));
    for (int s = 0; s < 3; ++s) {
      lars.zero_grad();
      Tensor loss = sum(mul(params[0].second, coef[0]));
      for (size_t i = 1; i < params.size(); ++i) loss = add(loss, sum(mul(params[i].second, coef[i])));
      loss.backward();
      lars.step();
    }
    for (auto& [name, t] : net.named_parameters()) result[d == Device::CUDA].emplace_back(name, t.to(Device::CPU));
    for (auto& [name, t] : lars.state()) result[d == Device::CUDA].emplace_back(name, t.to(Device::CPU));
  }
  // A wrong norm or a missing trust ratio changes the updates by orders of magnitude.
  expect_same_tensors(result[1], result[0], 1e-6f, 1e-5f, "LARS, 3 steps");
  // The steps did something: the parameters moved from their initial values.
  Net init(7);
  const nn::NamedTensorList p0 = init.named_parameters();
  EXPECT_FALSE(all_close(result[1][0].second.to_vector(), p0[0].second.to_vector(), 1e-7f, 0.0f));
}

TEST(CudaNn, EvalModeMatchesCpuAndLeavesRunningStatistics) {
  DL_REQUIRE_CUDA();
  const Tensor x = random_tensor({8, 3, 32, 32}, 302, 0, 1, false), x2 = random_tensor({8, 3, 32, 32}, 303, 0, 1, false);
  Tensor eval_out[2], train_out[2];
  nn::NamedTensorList buffers[2];
  for (Device d : {Device::CPU, Device::CUDA}) {
    const int k = d == Device::CUDA;
    Net net(8);
    net.to(d);
    net.train();
    net.forward(x.to(d));  // moves the running statistics away from (0, 1)
    net.eval();
    const nn::NamedTensorList before = net.named_buffers();
    std::vector<std::vector<float>> before_v;
    for (auto& [_, t] : before) before_v.push_back(t.dtype() == DType::F32 ? t.to_vector() : std::vector<float>{});
    eval_out[k] = net.forward(x2.to(d)).to(Device::CPU);
    const nn::NamedTensorList after = net.named_buffers();
    for (size_t i = 0; i < after.size(); ++i) {
      if (after[i].second.dtype() != DType::F32) continue;
      EXPECT_EQ(after[i].second.to_vector(), before_v[i]) << "an eval forward moved " << after[i].first;
    }
    for (auto& [name, t] : after) buffers[k].emplace_back(name, t.to(Device::CPU));
    net.train();
    train_out[k] = net.forward(x2.to(d)).to(Device::CPU);
  }
  EXPECT_TRUE(all_close(eval_out[1].to_vector(), eval_out[0].to_vector(), 1e-4f, 1e-3f)) << "eval forward";
  expect_same_tensors(buffers[1], buffers[0], 1e-5f, 1e-4f, "running statistics");
  // Eval really used the running statistics: the training-mode output (batch statistics) differs.
  EXPECT_FALSE(all_close(train_out[1].to_vector(), eval_out[1].to_vector(), 1e-3f, 1e-3f))
      << "eval and train forwards agree: eval mode did not switch BN to the running statistics";
}

TEST(CudaNn, CheckpointRoundTripOnDevice) {
  DL_REQUIRE_CUDA();
  const std::string path = ::testing::TempDir() + "cuda_checkpoint_roundtrip.safetensors";
  const Tensor x = random_tensor({8, 3, 32, 32}, 304, 0, 1, false).to(Device::CUDA);
  const Tensor y = labels_on(Device::CUDA);
  nn::AdamOptions ao;
  ao.lr = 1e-2f;
  auto step = [&](Net& net, nn::Adam& opt) {
    opt.zero_grad();
    cross_entropy(net.forward(x), y).backward();
    opt.step();
  };
  Net a(9);
  a.to(Device::CUDA);
  a.train();
  nn::Adam opt_a(a.named_parameters(), ao);
  step(a, opt_a), step(a, opt_a);
  nn::CheckpointInfo info;
  info.epoch = 1, info.step = 2;
  nn::save_checkpoint(path, a, &opt_a, info);

  Net b(10);  // other initial values, loaded from the file on the device
  b.to(Device::CUDA);
  b.train();
  nn::Adam opt_b(b.named_parameters(), ao);
  const nn::CheckpointInfo got = nn::load_checkpoint(path, b, &opt_b);
  EXPECT_EQ(got.step, 2);
  EXPECT_EQ(b.device(), Device::CUDA) << "loading moved the model off the GPU";
  const nn::NamedTensorList sa = a.state_dict(), sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sb[i].second.device(), Device::CUDA) << sb[i].first;
    if (sa[i].second.dtype() != DType::F32) continue;
    EXPECT_EQ(sb[i].second.to_vector(), sa[i].second.to_vector()) << "loaded " << sa[i].first;
  }
  // The Adam moments and step counts came back too: one more step is bit-identical.
  step(a, opt_a), step(b, opt_b);
  const nn::NamedTensorList pa = a.named_parameters(), pb = b.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    EXPECT_EQ(pb[i].second.to_vector(), pa[i].second.to_vector()) << "after one more step: " << pa[i].first;
  std::remove(path.c_str());
}
