// test_tensor.cpp - shapes, storage sharing, factories, the Philox generator and printing.
#include <gtest/gtest.h>

#include <cmath>

#include "tensor/cpu_allocator.h"
#include "tensor/error.h"
#include "tensor/philox.h"
#include "tensor/tensor.h"

using namespace dl;

TEST(Shape, NumelAndPrinting) {
  Shape s{2, 3, 4, 5};
  EXPECT_EQ(s.ndim(), 4);
  EXPECT_EQ(s.numel(), 120);
  EXPECT_EQ(s[-1], 5);
  EXPECT_EQ(s.str(), "(2, 3, 4, 5)");
  EXPECT_EQ(Shape{7}.str(), "(7,)");
  EXPECT_EQ(Shape{}.numel(), 1);
  EXPECT_THROW((Shape{1, 2, 3, 4, 5}), Error);
}

TEST(Tensor, FactoriesAndItem) {
  Tensor z = zeros({2, 3});
  for (float v : z.to_vector()) EXPECT_EQ(v, 0.0f);
  Tensor o = ones({4});
  EXPECT_EQ(o.to_vector(), std::vector<float>(4, 1.0f));
  EXPECT_EQ(full({1}, 2.5f).item(), 2.5f);
  EXPECT_EQ(arange(5).to_vector(), (std::vector<float>{0, 1, 2, 3, 4}));
  Tensor l = from_vector_i32({3, 1, 4}, {3});
  EXPECT_EQ(l.dtype(), DType::I32);
  EXPECT_EQ(l.to_vector_i32(), (std::vector<int32_t>{3, 1, 4}));
  EXPECT_THROW(l.data(), Error);  // dtype checked
  EXPECT_THROW(from_vector({1, 2, 3}, {2, 2}), Error);
  EXPECT_THROW(zeros({2, 2}).item(), Error);
}

TEST(Tensor, ViewsShareStorage) {
  Tensor a = arange(12).view({3, 4});
  Tensor rows = a.slice(1, 3);
  EXPECT_EQ(rows.shape(), (Shape{2, 4}));
  EXPECT_EQ(rows.to_vector()[0], 4.0f);
  rows.fill_(-1.0f);
  EXPECT_EQ(a.to_vector()[4], -1.0f);  // same storage
  EXPECT_EQ(a.to_vector()[3], 3.0f);
  Tensor c = a.clone();
  c.fill_(7.0f);
  EXPECT_EQ(a.to_vector()[0], 0.0f);  // clone does not share
  EXPECT_THROW(a.view({5, 2}), Error);
  EXPECT_THROW(a.slice(2, 4), Error);
}

TEST(Tensor, ShapeErrorsNameBothShapes) {
  try {
    zeros({2, 3}).copy_(zeros({3, 2}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(3, 2)"), std::string::npos) << msg;
  }
}

TEST(Tensor, ConcatRows) {
  Tensor a = from_vector({1, 2}, {1, 2}), b = from_vector({3, 4, 5, 6}, {2, 2});
  Tensor c = concat_rows({a, b});
  EXPECT_EQ(c.shape(), (Shape{3, 2}));
  EXPECT_EQ(c.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_THROW(concat_rows({a, zeros({1, 3})}), Error);
}

TEST(Tensor, Printing) {
  Tensor t = arange(6).view({2, 3});
  const std::string s = t.str();
  EXPECT_NE(s.find("shape=(2, 3)"), std::string::npos) << s;
  EXPECT_NE(s.find("[[0, 1, 2],"), std::string::npos) << s;
}

TEST(Philox, KnownAnswerVectors) {
  // Random123's kat_vectors for philox4x32_10.
  Philox4x32 r = philox4x32_10(Philox4x32{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(r.v[0], 0x6627e8d5u);
  EXPECT_EQ(r.v[1], 0xe169c58du);
  EXPECT_EQ(r.v[2], 0xbc57ac4cu);
  EXPECT_EQ(r.v[3], 0x9b00dbd8u);
  r = philox4x32_10(Philox4x32{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  EXPECT_EQ(r.v[0], 0x408f276du);
  EXPECT_EQ(r.v[1], 0x41c83b0eu);
  EXPECT_EQ(r.v[2], 0xa20bc7c6u);
  EXPECT_EQ(r.v[3], 0x6d5451fdu);
  r = philox4x32_10(Philox4x32{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u, 0x299f31d0u);
  EXPECT_EQ(r.v[0], 0xd16cfe09u);
  EXPECT_EQ(r.v[1], 0x94fdccebu);
  EXPECT_EQ(r.v[2], 0x5001e420u);
  EXPECT_EQ(r.v[3], 0x24126ea1u);
}

TEST(Random, SeededAndStatisticallySane) {
  Generator g1(42), g2(42);
  EXPECT_EQ(rand_uniform({100}, 0, 1, g1).to_vector(), rand_uniform({100}, 0, 1, g2).to_vector());
  EXPECT_EQ(g1.offset(), g2.offset());
  Generator g(7);
  const std::vector<float> u = rand_uniform({100000}, -2, 3, g).to_vector();
  double mean = 0;
  for (float v : u) {
    ASSERT_GE(v, -2.0f);
    ASSERT_LT(v, 3.0f);
    mean += v;
  }
  EXPECT_NEAR(mean / u.size(), 0.5, 0.02);
  const std::vector<float> n = rand_normal({100001}, 1.0f, 2.0f, g).to_vector();
  double m = 0, m2 = 0;
  for (float v : n) m += v, m2 += double(v) * v;
  m /= n.size();
  EXPECT_NEAR(m, 1.0, 0.03);
  EXPECT_NEAR(std::sqrt(m2 / n.size() - m * m), 2.0, 0.03);
  // Element i is draw i: a prefix of a longer draw equals a shorter draw.
  Generator a(9), b(9);
  const auto longer = rand_uniform({10}, 0, 1, a).to_vector();
  const auto shorter = rand_uniform({3}, 0, 1, b).to_vector();
  EXPECT_EQ(std::vector<float>(longer.begin(), longer.begin() + 3), shorter);
}

TEST(Generator, RandintIsUnbiasedAndInRange) {
  Generator g(3);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) {
    const int64_t v = g.randint(0, 6);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 6);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(CpuAllocator, ReusesFreedBlocks) {
  { Tensor warm = zeros({1 << 20}); }
  const size_t before = cpu_memory_stats().system_allocations;
  for (int i = 0; i < 100; ++i) Tensor t = zeros({1 << 20});
  EXPECT_EQ(cpu_memory_stats().system_allocations, before);
}
