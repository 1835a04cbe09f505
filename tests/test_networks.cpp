// test_networks.cpp - the paper's networks against PyTorch (tests/golden/make_nn.py, hand-written
// copies of pl_bolts' modules): parameter counts, parameter/buffer names, and train-mode forward
// + backward (and the eval-mode forward with the updated running stats) of an EncoderBlock with and
// without downsample, a DecoderBlock with upsample, the MLP head (eps = 10) and whole width-2 nets.
#include <gtest/gtest.h>

#include <sstream>

#include "autograd/grad_mode.h"
#include "nn/mlp.h"
#include "nn/resnet_decoder.h"
#include "nn/resnet_encoder.h"
#include "tensor/error.h"
#include "tests/golden.h"
#include "tests/gradcheck.h"

using namespace dl;
using namespace dl::nn;
using dl::test::all_close;

namespace {

std::string join_names(const NamedTensorList& l) {
  std::string s;
  for (const auto& [n, _] : l) s += (s.empty() ? "" : ",") + n;
  return s;
}

// Loads "<prefix>.p.*" into m, runs forward in train mode on "<prefix>.x", backward with seed
// "<prefix>.r", and compares output, input and parameter gradients, running stats, eval output.
// grad_nmse > 0 compares gradients by normalized MSE instead of elementwise: in a whole network a
// pre-ReLU value within rounding of 0 (the width-2 decoder has one at 3e-7) may fall on the other
// side of the kink than in PyTorch, which changes a few gradient entries by ~1e-3 relative.
void check_case(Module& m, const std::string& prefix, float atol = 1e-4f, float rtol = 1e-3f, double grad_nmse = 0) {
  auto grads_match = [&](const Tensor& got, const Tensor& ref) -> ::testing::AssertionResult {
    if (grad_nmse == 0) return all_close(got, ref, atol, rtol);
    const double e = dl::test::nmse(got.to_vector(), ref.to_vector());
    if (got.shape() == ref.shape() && e < grad_nmse) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "nmse " << e << " shapes " << got.shape().str() << " " << ref.shape().str();
  };
  const NamedTensors g = dl::test::load_golden("nn");
  m.load_state(g, prefix + ".p.");
  m.train();
  Tensor x = g.at(prefix + ".x").clone().set_requires_grad(true);
  Tensor y = m(x);
  EXPECT_TRUE(all_close(y, g.at(prefix + ".out"), atol, rtol)) << prefix << " forward";
  backward(y, g.at(prefix + ".r"));
  EXPECT_TRUE(grads_match(x.grad(), g.at(prefix + ".grad.x"))) << prefix << " dL/dx";
  for (const auto& [n, p] : m.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << prefix << " " << n << " got no gradient";
    EXPECT_TRUE(grads_match(p.grad(), g.at(prefix + ".grad." + n))) << prefix << " dL/d" << n;
  }
  for (const auto& [n, b] : m.named_buffers())
    EXPECT_TRUE(all_close(b, g.at(prefix + ".after." + n), 1e-5f, 1e-4f)) << prefix << " " << n << " after";
  m.eval();
  NoGradGuard no_grad;
  EXPECT_TRUE(all_close(m(x.detach()), g.at(prefix + ".eval_out"), atol, rtol)) << prefix << " eval forward";
}

}  // namespace

// Counts from PyTorch (make_nn.py prints them); width 64 is the paper's network.
TEST(Networks, ParameterCountsEqualPyTorch) {
  Generator gen(0);
  EXPECT_EQ(ResNetEncoder(64, gen).num_parameters(), 11168832);
  EXPECT_EQ(ResNetEncoder(32, gen).num_parameters(), 2795040);
  EXPECT_EQ(ResNetEncoder(16, gen).num_parameters(), 700176);
  EXPECT_EQ(ResNetDecoder(128, 64, gen).num_parameters(), 7577024);
  EXPECT_EQ(ResNetDecoder(128, 32, gen).num_parameters(), 2160352);
  EXPECT_EQ(ResNetDecoder(128, 16, gen).num_parameters(), 673136);
  EXPECT_EQ(MLP(512, 512, 10, 10.0f, gen).num_parameters(), 268810);    // cls_mlp / probe
  EXPECT_EQ(MLP(512, 512, 128, 128.0f, gen).num_parameters(), 329344);  // ae_mlp, simclr_mlp
  EXPECT_EQ(MLP(512, 512, 256, 256.0f, gen).num_parameters(), 395008);  // vae_mlp
  EXPECT_EQ(ResNetEncoder(8, gen).output_dim(), 64);
}

TEST(Networks, NamesEqualPyTorchStateDict) {
  const NamedTensors g = dl::test::load_golden("nn");
  Generator gen(0);
  ResNetEncoder enc(2, gen);
  ResNetDecoder dec(4, 2, gen);
  EXPECT_EQ(join_names(enc.named_parameters()), g.metadata.at("encoder_w2.parameters"));
  EXPECT_EQ(join_names(enc.named_buffers()), g.metadata.at("encoder_w2.buffers"));
  EXPECT_EQ(join_names(dec.named_parameters()), g.metadata.at("decoder_w2_latent4.parameters"));
  EXPECT_EQ(join_names(dec.named_buffers()), g.metadata.at("decoder_w2_latent4.buffers"));
}

TEST(Networks, EncoderBlockIdentityMatchesPyTorch) {
  EncoderBlock block(4, 4, 1, false);
  EXPECT_EQ(block.downsample, nullptr);
  check_case(block, "bb");
}

TEST(Networks, EncoderBlockDownsampleMatchesPyTorch) {
  EncoderBlock block(4, 8, 2, true);
  check_case(block, "bbd");
}

TEST(Networks, DecoderBlockUpsampleMatchesPyTorch) {
  DecoderBlock block(8, 4, 2);
  EXPECT_EQ(block.conv1->weight.shape(), (Shape{8, 8, 3, 3}));  // first conv keeps the channels
  check_case(block, "db");
}

TEST(Networks, MlpHeadWithEps10MatchesPyTorch) {
  MLP mlp(5, 7, 3, 10.0f);
  check_case(mlp, "mlp");
}

TEST(Networks, WholeEncoderMatchesPyTorch) {
  ResNetEncoder enc(2);
  check_case(enc, "enc", 1e-4f, 1e-3f);
}

TEST(Networks, WholeDecoderMatchesPyTorch) {
  ResNetDecoder dec(4, 2);
  check_case(dec, "dec", 1e-4f, 1e-3f, /*grad_nmse=*/1e-4);
}

TEST(Networks, ShapesAndBadInputs) {
  Generator gen(1);
  ResNetEncoder enc(4, gen);
  Tensor feats = enc(rand_uniform({2, 3, 32, 32}, -1, 1, gen));
  EXPECT_EQ(feats.shape(), (Shape{2, 32}));
  ResNetDecoder dec(8, 4, gen);
  EXPECT_EQ(dec(rand_uniform({2, 8}, -1, 1, gen)).shape(), (Shape{2, 3, 32, 32}));
  EXPECT_THROW(enc(zeros({2, 1, 32, 32})), Error);  // wrong channel count
  EXPECT_THROW(dec(zeros({2, 9})), Error);           // wrong latent size
  EXPECT_THROW(EncoderBlock(4, 8, 1, false), Error);  // channel change without a shortcut
  MLP mlp(4, 4, 2, 1e-5f, gen);
  EXPECT_THROW(mlp(zeros({2, 4, 1, 1})), Error);      // BatchNorm1d wants (N, C)
}
