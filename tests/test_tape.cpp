// test_tape.cpp - the reverse-mode tape itself: accumulation across branches, detach, NoGradGuard,
// release after backward, the errors for misuse, and memory that stays flat across steps.
#include <gtest/gtest.h>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "tensor/cpu_allocator.h"
#include "tensor/error.h"

using namespace dl;

TEST(Tape, LeafUsedInTwoGraphsAccumulates) {
  // Two separate forward passes through the same leaves, two backward calls: grads add up.
  Tensor x = from_vector({1, 2}, {1, 2}).set_requires_grad();
  Tensor w = from_vector({3, 4, 5, 6}, {2, 2}).set_requires_grad();
  for (int i = 0; i < 2; ++i) matmul(linear(x, w), ones({2, 1})).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2 * (3 + 5), 2 * (4 + 6)}));
  EXPECT_EQ(w.grad().to_vector(), (std::vector<float>{2, 4, 2, 4}));
}

TEST(Tape, DiamondGraphSumsBothPaths) {
  // h = x W^T feeds two consumers: a = h P and s = a h^T = h P h^T, so dL/dh = h (P + P^T).
  Tensor x = from_vector({1, -1}, {1, 2}).set_requires_grad();
  Tensor w = from_vector({1, 2, 3, 4}, {2, 2});
  Tensor p = from_vector({1, 0, 0, 2}, {2, 2});
  Tensor h = linear(x, w);                      // [-1, -1]
  Tensor s = matmul(matmul(h, p), h, false, true);
  s.backward();
  // dL/dh = [-1, -1] diag(2, 4) = [-2, -4]; dL/dx = dL/dh W = [-14, -20].
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{-14, -20}));
}

TEST(Tape, DetachBlocksGradient) {
  Tensor w = from_vector({2}, {1, 1}).set_requires_grad();
  Tensor x = from_vector({3}, {1, 1}).set_requires_grad();
  Tensor h = matmul(x, w);
  Tensor y = matmul(h.detach(), w);  // gradient reaches w through the second use only
  EXPECT_FALSE(h.detach().requires_grad());
  y.backward();
  EXPECT_EQ(w.grad().item(), 6.0f);  // d(h w)/dw with h = 6 held constant
  EXPECT_FALSE(x.grad().defined());
}

TEST(Tape, NoGradGuardRecordsNothing) {
  Tensor w = ones({2, 2}).set_requires_grad();
  {
    NoGradGuard guard;
    Tensor y = matmul(w, w);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_TRUE(matmul(w, w).requires_grad());
}

TEST(Tape, BackwardTwiceIsAClearError) {
  Tensor w = ones({1, 1}).set_requires_grad();
  Tensor y = matmul(w, w);
  y.backward();
  try {
    y.backward();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("second time"), std::string::npos) << e.what();
  }
}

TEST(Tape, NonScalarNeedsSeed) {
  Tensor w = ones({2, 2}).set_requires_grad();
  Tensor y = matmul(w, w);
  EXPECT_THROW(y.backward(), Error);
  EXPECT_THROW(y.backward(ones({3})), Error);  // wrong seed shape
  EXPECT_NO_THROW(y.backward(ones({2, 2})));
  Tensor c = ones({1});
  EXPECT_THROW(c.backward(), Error);  // does not require grad
}

TEST(Tape, LeafGradsAccumulateUntilZeroed) {
  Tensor w = from_vector({3}, {1, 1}).set_requires_grad();
  for (int i = 0; i < 3; ++i) matmul(w, w).backward();
  EXPECT_EQ(w.grad().item(), 18.0f);
  w.zero_grad();
  EXPECT_FALSE(w.grad().defined());
}

TEST(Tape, ReleasedAfterBackwardSoMemoryStaysFlat) {
  Tensor x = rand_uniform({64, 128}, -1, 1);
  Tensor w = rand_uniform({128, 128}, -0.1f, 0.1f).set_requires_grad();
  auto step = [&] {
    Tensor h = x;
    for (int l = 0; l < 4; ++l) h = linear(h, w);
    Tensor loss = matmul(matmul(ones({1, 64}), h), ones({128, 1}));
    loss.backward();
    w.zero_grad();
  };
  for (int i = 0; i < 5; ++i) step();  // warm the allocator's cache
  const size_t in_use = cpu_memory_stats().bytes_in_use;
  const size_t allocs = cpu_memory_stats().system_allocations;
  for (int i = 0; i < 1000; ++i) step();
  EXPECT_EQ(cpu_memory_stats().bytes_in_use, in_use);
  EXPECT_EQ(cpu_memory_stats().system_allocations, allocs);
}
