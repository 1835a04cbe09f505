// test_cuda_bn_losses.cpp - batchnorm (train and eval, running statistics) and the fused losses
// (cross_entropy, mse_loss, kl_normal, nt_xent_cross_view, nt_xent) on CUDA against the CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::all_close;
using dl::test::expect_cuda_matches_cpu;
using dl::test::random_tensor;

namespace {
// (N, D) rows of unit L2 norm, requiring grad (nt_xent's callers normalize first).
Tensor unit_rows(int64_t N, int64_t D, uint64_t seed) {
  std::vector<float> v = random_tensor({N, D}, seed, -1, 1, false).to_vector();
  for (int64_t i = 0; i < N; ++i) {
    double ss = 0.0;
    for (int64_t j = 0; j < D; ++j) ss += static_cast<double>(v[i * D + j]) * v[i * D + j];
    for (int64_t j = 0; j < D; ++j) v[i * D + j] = static_cast<float>(v[i * D + j] / std::sqrt(ss));
  }
  return from_vector(v, {N, D}).set_requires_grad(true);
}
}  // namespace

TEST(CudaBatchnorm, TrainAndEvalMatchCpu) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{16, 64, 32, 32}, Shape{256, 512}, Shape{7, 5, 3, 9}, Shape{3, 11}, Shape{2, 3, 1, 1}}) {
    const int64_t C = s[1];
    for (bool training : {true, false}) {
      // The models' quirky eps (BatchNorm1d(hidden, out_dim) -> eps = out_dim) and the usual 1e-5.
      for (float eps : {1e-5f, 10.0f}) {
        Tensor x = random_tensor(s, 8, -2, 3), w = random_tensor({C}, 9, 0.5f, 1.5f), b = random_tensor({C}, 10);
        Tensor rm_c = random_tensor({C}, 11, -0.5f, 0.5f, false), rv_c = random_tensor({C}, 12, 0.5f, 2.0f, false);
        Tensor rm_g = rm_c.to(Device::CUDA), rv_g = rv_c.to(Device::CUDA);
        expect_cuda_matches_cpu(
            [&](const std::vector<Tensor>& in) {
              const bool gpu = in[0].device() == Device::CUDA;
              return batchnorm(in[0], in[1], in[2], gpu ? rm_g : rm_c, gpu ? rv_g : rv_c, training, 0.1f, eps);
            },
            {x, w, b}, {1e-9, 1e-4f, 1e-3f}, s.str() + (training ? " train" : " eval") + " eps " + std::to_string(eps));
        EXPECT_TRUE(all_close(rm_g.to_vector(), rm_c.to_vector(), 1e-5f, 1e-4f)) << "running_mean " << s.str();
        EXPECT_TRUE(all_close(rv_g.to_vector(), rv_c.to_vector(), 1e-5f, 1e-4f)) << "running_var " << s.str();
      }
    }
  }
}

TEST(CudaCrossEntropy, MatchesCpu) {
  DL_REQUIRE_CUDA();
  for (auto [N, K] : {std::pair<int64_t, int64_t>{256, 10}, {7, 3}, {1, 1}, {33, 1000}}) {
    std::vector<int32_t> labels(N);
    for (int64_t i = 0; i < N; ++i) labels[i] = static_cast<int32_t>((i * 7 + 3) % K);
    Tensor logits = random_tensor({N, K}, 13, -8, 8), lab = from_vector_i32(labels, {N});
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return cross_entropy(in[0], in[1]); }, {logits, lab},
                            {1e-10, 1e-5f, 1e-4f}, "N=" + std::to_string(N) + " K=" + std::to_string(K));
  }
}

TEST(CudaMseKl, MatchCpu) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{256, 3, 32, 32}, Shape{5, 7}}) {
    Tensor pred = random_tensor(s, 14), target = random_tensor(s, 15, -1, 1, false);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return mse_loss(in[0], in[1]); }, {pred, target},
                            {1e-10, 1e-5f, 1e-4f}, "mse " + s.str());
  }
  for (Shape s : {Shape{256, 128}, Shape{3, 5}}) {
    Tensor mu = random_tensor(s, 16, -2, 2), logvar = random_tensor(s, 17, -3, 2);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return kl_normal(in[0], in[1]); }, {mu, logvar},
                            {1e-10, 1e-5f, 1e-4f}, "kl " + s.str());
  }
}

TEST(CudaNtXent, BothFormsMatchCpu) {
  DL_REQUIRE_CUDA();
  for (auto [N, D] : {std::pair<int64_t, int64_t>{256, 128}, {512, 128}, {7, 5}, {2, 3}}) {
    for (float tau : {0.1f, 0.5f}) {
      Tensor a = unit_rows(N, D, 18), b = unit_rows(N, D, 19);
      const std::string what = "N=" + std::to_string(N) + " D=" + std::to_string(D) + " tau=" + std::to_string(tau);
      expect_cuda_matches_cpu([tau](const std::vector<Tensor>& in) { return nt_xent_cross_view(in[0], in[1], tau); },
                              {a, b}, {1e-9, 1e-5f, 1e-3f}, "cross-view " + what);
      expect_cuda_matches_cpu([tau](const std::vector<Tensor>& in) { return nt_xent(in[0], in[1], tau); }, {a, b},
                              {1e-9, 1e-5f, 1e-3f}, "nt_xent " + what);
    }
  }
}
