// test_cuda_elementwise.cpp - binary ops with every broadcast, scalar ops, unary functions,
// reductions, l2_normalize and log_softmax on CUDA against the CPU.
#include <gtest/gtest.h>

#include <string>

#include "tests/cuda/cuda_test_util.h"

using namespace dl;
using dl::test::expect_cuda_matches_cpu;
using dl::test::random_tensor;

TEST(CudaBinary, AllBroadcastsMatchCpu) {
  DL_REQUIRE_CUDA();
  using BinFn = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, BinFn> ops[] = {{"add", dl::add}, {"sub", dl::sub}, {"mul", dl::mul}, {"div", dl::div}};
  const std::pair<Shape, Shape> shapes[] = {
      {{8, 64, 16, 16}, {8, 64, 16, 16}},  // same shape
      {{8, 64, 16, 16}, {1}},              // scalar
      {{8, 64, 16, 16}, {64}},             // per channel of (N, C, H, W)
      {{256, 512}, {512}},                 // per channel of (N, C)
      {{256, 128}, {256, 1}},              // per row of (N, D)
      {{3, 5, 7, 1}, {5}},                 // odd
      {{5, 3}, {5, 1}},
  };
  for (const auto& [name, fn] : ops)
    for (const auto& [sa, sb] : shapes) {
      Tensor a = random_tensor(sa, 20), b = random_tensor(sb, 21, 0.5f, 2.0f);  // b away from 0 for div
      expect_cuda_matches_cpu([fn](const std::vector<Tensor>& in) { return fn(in[0], in[1]); }, {a, b},
                              {1e-10, 1e-5f, 1e-4f}, std::string(name) + " " + sa.str() + " by " + sb.str());
    }
  Tensor a = random_tensor({7, 9}, 22);
  expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return add_scalar(in[0], 1.5f); }, {a});
  expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return mul_scalar(in[0], -0.25f); }, {a});
}

TEST(CudaUnary, AllMatchCpu) {
  DL_REQUIRE_CUDA();
  using UnFn = Tensor (*)(const Tensor&);
  const std::tuple<const char*, UnFn, float, float> ops[] = {
      {"relu", relu, -1, 1}, {"sigmoid", sigmoid, -4, 4}, {"exp", dl::exp, -3, 3}, {"log", dl::log, 0.1f, 3},
      {"sqrt", dl::sqrt, 0.1f, 3}, {"square", square, -2, 2}, {"neg", neg, -1, 1}};
  for (const auto& [name, fn, lo, hi] : ops)
    for (Shape s : {Shape{8, 64, 32, 32}, Shape{7, 3}})
      expect_cuda_matches_cpu([fn](const std::vector<Tensor>& in) { return fn(in[0]); }, {random_tensor(s, 23, lo, hi)},
                              {1e-10, 1e-5f, 1e-4f}, std::string(name) + " " + s.str());
}

TEST(CudaReduce, AllAndDimsMatchCpu) {
  DL_REQUIRE_CUDA();
  for (Shape s : {Shape{256, 3, 32, 32}, Shape{7, 5}, Shape{1}}) {
    Tensor x = random_tensor(s, 24);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return sum(in[0]); }, {x}, {1e-10, 1e-4f, 1e-4f},
                            "sum " + s.str());
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return mean(in[0]); }, {x}, {1e-10, 1e-5f, 1e-4f},
                            "mean " + s.str());
    for (int d = 0; d < s.ndim(); ++d) {
      expect_cuda_matches_cpu([d](const std::vector<Tensor>& in) { return sum(in[0], d); }, {x},
                              {1e-10, 1e-4f, 1e-4f}, "sum dim " + std::to_string(d) + " " + s.str());
      expect_cuda_matches_cpu([d](const std::vector<Tensor>& in) { return mean(in[0], d); }, {x},
                              {1e-10, 1e-5f, 1e-4f}, "mean dim " + std::to_string(d) + " " + s.str());
    }
  }
}

// sum_terms is a cub::DeviceReduce (common.cuh): CUB documents it run-to-run deterministic on one
// GPU; 3 M terms take its multi-block path (per-block partials, then one block over them).
TEST(CudaReduce, SumAllIsBitwiseRunToRunDeterministic) {
  DL_REQUIRE_CUDA();
  const Tensor x = random_tensor({3, 1000, 1001}, 26, -1, 1, false).to(Device::CUDA);
  const float first = sum(x).to(Device::CPU).to_vector()[0];
  for (int run = 0; run < 3; ++run) EXPECT_EQ(sum(x).to(Device::CPU).to_vector()[0], first) << "run " << run;
}

TEST(CudaRows, L2NormalizeAndLogSoftmaxMatchCpu) {
  DL_REQUIRE_CUDA();
  // Row lengths for every block size of with_row_block (32, 64, 128, 256, 512 threads).
  for (Shape s : {Shape{512, 128}, Shape{256, 10}, Shape{6, 50}, Shape{9, 200}, Shape{5, 1000}, Shape{3, 1}}) {
    Tensor x = random_tensor(s, 25, -3, 3);
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return l2_normalize(in[0]); }, {x},
                            {1e-10, 1e-5f, 1e-4f}, "l2_normalize " + s.str());
    expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return log_softmax(in[0]); }, {x},
                            {1e-10, 1e-5f, 1e-4f}, "log_softmax " + s.str());
  }
  // A zero row: the eps clamp is active.
  expect_cuda_matches_cpu([](const std::vector<Tensor>& in) { return l2_normalize(in[0], 1e-3f); },
                          {zeros({2, 4}).set_requires_grad(true)});
}
