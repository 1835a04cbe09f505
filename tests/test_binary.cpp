// test_binary.cpp - add/sub/mul/div in every broadcast form, add_scalar/mul_scalar: values,
// gradients of both operands (finite differences), bad-shape errors, deterministic broadcast
// gradients whatever the thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <functional>
#include <string>

#include "kernels/cpu/binary.h"
#include "kernels/cpu_kernels.h"
#include "kernels/ref/binary.h"
#include "tensor/error.h"
#include "tests/gradcheck.h"

using namespace dl;
using dl::test::gradcheck;
using dl::test::random_tensor;

namespace {

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

struct Case {
  const char* name;
  Shape a, b;
};
// Every broadcast form the models use, including odd sizes.
const Case kCases[] = {
    {"same shape", {3, 5}, {3, 5}},
    {"same shape 4-d", {2, 3, 4, 5}, {2, 3, 4, 5}},
    {"scalar ()", {3, 5, 7}, {}},
    {"scalar (1)", {4, 3}, {1}},
    {"per channel of (N, C)", {4, 6}, {6}},
    {"per channel of (N, C, H, W)", {3, 5, 7, 7}, {5}},
    {"per row of (N, D)", {5, 7}, {5, 1}},
};

}  // namespace

TEST(Binary, ValuesSameShapeAndScalar) {
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = from_vector({6, 5, 4, 3, 2, 1}, {2, 3});
  EXPECT_EQ(add(a, b).to_vector(), (std::vector<float>{7, 7, 7, 7, 7, 7}));
  EXPECT_EQ(sub(a, b).to_vector(), (std::vector<float>{-5, -3, -1, 1, 3, 5}));
  EXPECT_EQ(mul(a, b).to_vector(), (std::vector<float>{6, 10, 12, 12, 10, 6}));
  EXPECT_EQ(div(a, from_vector({2}, {})).to_vector(), (std::vector<float>{0.5, 1, 1.5, 2, 2.5, 3}));
  EXPECT_EQ(sub(a, from_vector({1}, {1})).to_vector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(add_scalar(a, -1).to_vector(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(mul_scalar(a, 2).to_vector(), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(add(a, b).shape(), a.shape());
}

TEST(Binary, ValuesBroadcast) {
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  // (C) per channel of (N, C): b runs along each row.
  EXPECT_EQ(add(a, from_vector({10, 20, 30}, {3})).to_vector(), (std::vector<float>{11, 22, 33, 14, 25, 36}));
  // (N, 1) per row of (N, D).
  EXPECT_EQ(mul(a, from_vector({2, -1}, {2, 1})).to_vector(), (std::vector<float>{2, 4, 6, -4, -5, -6}));
  // (C) per channel of (N, C, H, W): a (2, 2, 1, 2).
  Tensor x = from_vector({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 1, 2});
  EXPECT_EQ(sub(x, from_vector({1, 3}, {2})).to_vector(), (std::vector<float>{0, 1, 0, 1, 4, 5, 4, 5}));
  EXPECT_EQ(div(x, from_vector({1, 2}, {2})).to_vector(), (std::vector<float>{1, 2, 1.5, 2, 5, 6, 3.5, 4}));
}

TEST(Binary, BroadcastGradientsHandChecked) {
  // a (2, 3) * b (3): db[c] = sum_n dout[n, c] a[n, c]; da = dout * b.
  Tensor a = from_vector({1, 2, 3, 4, 5, 6}, {2, 3}).set_requires_grad();
  Tensor b = from_vector({1, -1, 2}, {3}).set_requires_grad();
  mul(a, b).backward(ones({2, 3}));
  EXPECT_EQ(b.grad().to_vector(), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(a.grad().to_vector(), (std::vector<float>{1, -1, 2, 1, -1, 2}));
  // a (2, 3) / b (2, 1): db[n] = -sum_d a[n, d] / b[n]^2.
  Tensor p = from_vector({1, 2, 3, 4, 5, 6}, {2, 3}).set_requires_grad();
  Tensor q = from_vector({1, 2}, {2, 1}).set_requires_grad();
  div(p, q).backward(ones({2, 3}));
  EXPECT_EQ(q.grad().to_vector(), (std::vector<float>{-6, -15.0f / 4}));
  EXPECT_EQ(p.grad().to_vector(), (std::vector<float>{1, 1, 1, 0.5, 0.5, 0.5}));
}

// gradcheck of both operands, every op, every broadcast form, with whichever CPU kernels are selected.
static void check_gradients_every_op_every_broadcast() {
  const std::pair<const char*, BinaryFn> ops[] = {{"add", add}, {"sub", sub}, {"mul", mul}, {"div", div}};
  uint64_t seed = 10;
  for (const auto& [op_name, op] : ops)
    for (const Case& c : kCases) {
      Tensor a = random_tensor(c.a, ++seed);
      // div's b stays away from 0: |b| in [0.5, 1.5].
      Tensor b = std::string(op_name) == "div" ? random_tensor(c.b, ++seed, 0.5f, 1.5f) : random_tensor(c.b, ++seed);
      EXPECT_TRUE(gradcheck([op](const std::vector<Tensor>& in) { return op(in[0], in[1]); }, {a, b}))
          << op_name << ", " << c.name << ": a " << c.a.str() << " b " << c.b.str();
    }
}

TEST(Binary, GradientsEveryOpEveryBroadcast) { check_gradients_every_op_every_broadcast(); }

TEST(BinaryRef, GradientsEveryOpEveryBroadcastOnRefKernels) {
  ScopedCpuKernels ref(CpuKernels::Ref);
  check_gradients_every_op_every_broadcast();
}

TEST(Binary, GradientOnlyOneOperand) {
  Tensor a = random_tensor({3, 4}, 1);
  Tensor b = random_tensor({4}, 2, -1, 1, /*requires_grad=*/false);
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return mul(in[0], b); }, {a}));
  EXPECT_FALSE(b.grad().defined());
  Tensor x = random_tensor({3, 4}, 3, -1, 1, false);
  Tensor y = random_tensor({3, 1}, 4);
  EXPECT_TRUE(gradcheck([&](const std::vector<Tensor>& in) { return sub(x, in[0]); }, {y}));
}

TEST(Binary, ScalarOpsGradients) {
  Tensor a = random_tensor({3, 5, 2}, 5);
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return add_scalar(in[0], 0.7f); }, {a}));
  EXPECT_TRUE(gradcheck([](const std::vector<Tensor>& in) { return mul_scalar(in[0], -1.3f); }, {a}));
}

TEST(Binary, SameTensorAsBothOperands) {
  // mul(x, x) = x^2: both contributions reach x, d/dx = 2x.
  Tensor x = from_vector({1, -2, 3}, {3}).set_requires_grad();
  mul(x, x).backward(ones({3}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2, -4, 6}));
  // add(y, y): a receives dout itself and b a copy; the two contributions must still add up.
  Tensor y = from_vector({1, 2}, {2}).set_requires_grad();
  add(y, y).backward(from_vector({3, 5}, {2}));
  EXPECT_EQ(y.grad().to_vector(), (std::vector<float>{6, 10}));
  Tensor z = from_vector({1, 2}, {2}).set_requires_grad();
  sub(z, z).backward(from_vector({3, 5}, {2}));
  EXPECT_EQ(z.grad().to_vector(), (std::vector<float>{0, 0}));
}

TEST(Binary, OperandGradientsDoNotAlias) {
  // add's a receives dout itself: b's gradient must live in its own buffer.
  Tensor a = zeros({2, 2}).set_requires_grad(), b = zeros({2, 2}).set_requires_grad();
  add(a, b).backward(ones({2, 2}));
  EXPECT_NE(a.grad().data(), b.grad().data());
}

TEST(Binary, DiamondGraphThroughAdd) {
  // x feeds add twice (directly and through mul): L = sum(x + x*x), dL/dx = 1 + 2x.
  Tensor x = from_vector({0.5, -1, 2}, {3}).set_requires_grad();
  add(x, mul(x, x)).backward(ones({3}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{2, -1, 5}));
}

TEST(Binary, BadShapesNameBothShapes) {
  const std::pair<Shape, Shape> bad[] = {
      {{2, 3}, {3, 2}},        // transposed
      {{2, 3, 4, 4}, {4}},     // (C) that is not the channel count
      {{2, 3, 4, 4}, {3, 1}},  // (N, 1) only for 2-d a
      {{4, 3}, {3, 1}},        // (N, 1) with the wrong N
      {{3}, {2, 3}},           // b larger than a
      {{2, 3, 4}, {3}},        // per channel only for 2-d and 4-d a
  };
  for (const auto& [sa, sb] : bad) {
    try {
      add(zeros(sa), zeros(sb));
      ADD_FAILURE() << "no error for a " << sa.str() << " b " << sb.str();
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(sa.str()), std::string::npos) << msg;
      EXPECT_NE(msg.find(sb.str()), std::string::npos) << msg;
      EXPECT_NE(msg.find("add"), std::string::npos) << msg;
    }
  }
  EXPECT_THROW(mul(zeros({2, 3}), zeros({2})), Error);
  EXPECT_THROW(div(zeros({2, 3}), Tensor()), Error);
}

TEST(Binary, BroadcastGradientsSameBitsWithOneOrTwoThreads) {
  // Large enough that every kernel takes its parallel path.
  Tensor a = random_tensor({32, 16, 24, 24}, 7);
  Tensor bc = random_tensor({16}, 8), bs = random_tensor({}, 9);
  Tensor r = random_tensor({32, 16, 24, 24}, 10, -1, 1, false);
  Tensor rows = random_tensor({1024, 300}, 11), brow = random_tensor({1024, 1}, 12), bcol = random_tensor({300}, 13);
  Tensor rr = random_tensor({1024, 300}, 14, -1, 1, false);
  auto grads = [&]() {
    for (Tensor* t : {&a, &bc, &bs, &rows, &brow, &bcol}) t->zero_grad();
    mul(a, bc).backward(r);
    mul(a, bs).backward(r);
    mul(rows, brow).backward(rr);
    add(rows, bcol).backward(rr);
    std::vector<std::vector<float>> g;
    for (Tensor* t : {&a, &bc, &bs, &rows, &brow, &bcol}) g.push_back(t->grad().to_vector());
    return g;
  };
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = grads();
  omp_set_num_threads(2);
  const auto two = grads();
  omp_set_num_threads(saved);
  ASSERT_EQ(one.size(), two.size());
  for (size_t k = 0; k < one.size(); ++k)
    EXPECT_EQ(0, std::memcmp(one[k].data(), two[k].data(), one[k].size() * sizeof(float))) << "gradient " << k;
}

TEST(Binary, KernelWritesDaForAddAndSub) {
  // autograd hands dout straight to a for add/sub; the kernels' da output is still part of their
  // contract (and of the CUDA twins'), so check it directly.
  const std::vector<float> dout = {1, -2, 3, -4, 5, -6}, a = {0, 0, 0, 0, 0, 0}, b = {1, 1, 1};
  std::vector<float> da(6), db(3);
  cpu::add_backward(da.data(), db.data(), dout.data(), a.data(), b.data(), 2, 3, 1);
  EXPECT_EQ(da, dout);
  EXPECT_EQ(db, (std::vector<float>{-3, 3, -3}));
  cpu::sub_backward(da.data(), db.data(), dout.data(), a.data(), b.data(), 1, 3, 2);  // (N, 1) per row
  EXPECT_EQ(da, dout);
  EXPECT_EQ(db, (std::vector<float>{1, 1, 1}));  // -(1 - 2), -(3 - 4), -(5 - 6)
}

// Fast (kernels/cpu/binary) against plain (kernels/ref/binary), kernel level, over every layout
// the fast code picks a loop for: b of a's shape (1, n, 1), scalar (1, 1, n), per column (N, C, 1)
// (C across its 256-column blocks), planes (N, C, HW) and rows (1, N, D); each small and above the
// OpenMP threshold (2^18 elements), the scalar sum across deterministic_sum's 16384-term chunks.
// Tolerances: out and da 0 (the same float formula per element); db, a sum of the same float
// terms in double in another order, rtol 1e-6 and atol 1e-6.
namespace {

struct BinaryKernels {
  const char* name;
  void (*fast_fwd)(float*, const float*, const float*, int64_t, int64_t, int64_t);
  void (*ref_fwd)(float*, const float*, const float*, int64_t, int64_t, int64_t);
  void (*fast_bwd)(float*, float*, const float*, const float*, const float*, int64_t, int64_t, int64_t);
  void (*ref_bwd)(float*, float*, const float*, const float*, const float*, int64_t, int64_t, int64_t);
};
const BinaryKernels kBinaryKernels[] = {
    {"add", cpu::add_forward, ref::add_forward, cpu::add_backward, ref::add_backward},
    {"sub", cpu::sub_forward, ref::sub_forward, cpu::sub_backward, ref::sub_backward},
    {"mul", cpu::mul_forward, ref::mul_forward, cpu::mul_backward, ref::mul_backward},
    {"div", cpu::div_forward, ref::div_forward, cpu::div_backward, ref::div_backward},
};

struct Layout {
  int64_t outer, C, inner;
};
const Layout kLayouts[] = {
    {1, 7, 1},      {1, 300007, 1},    // b of a's shape
    {1, 1, 9},      {1, 1, 16385},     {1, 1, (1 << 18) + 3},  // scalar b
    {5, 7, 1},      {33, 300, 1},      {1000, 300, 1},         // per column of (N, C)
    {3, 5, 49},     {32, 16, 577},                             // per channel of (N, C, H, W)
    {1, 5, 7},      {1, 1024, 300},                            // per row of (N, D)
};

}  // namespace

TEST(BinaryRef, FastMatchesRefEveryLayout) {
  for (const BinaryKernels& k : kBinaryKernels)
    for (const Layout& l : kLayouts) {
      const int64_t n = l.outer * l.C * l.inner;
      const std::vector<float> a = test::lcg_values(n, 21), dout = test::lcg_values(n, 22);
      std::vector<float> b = test::lcg_values(l.C, 23);
      for (float& v : b) v = v < 0 ? v - 0.5f : v + 0.5f;  // |b| >= 0.5 for div
      std::vector<float> out_fast(n), out_ref(n), da_fast(n, 9.0f), da_ref(n, -9.0f), db_fast(l.C, 9.0f),
          db_ref(l.C, -9.0f);
      k.fast_fwd(out_fast.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      k.ref_fwd(out_ref.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      const std::string where = std::string(k.name) + " (" + std::to_string(l.outer) + ", " + std::to_string(l.C) +
                                ", " + std::to_string(l.inner) + ")";
      EXPECT_TRUE(test::all_close(out_fast, out_ref, 0, 0)) << where;
      k.fast_bwd(da_fast.data(), db_fast.data(), dout.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      k.ref_bwd(da_ref.data(), db_ref.data(), dout.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      EXPECT_TRUE(test::all_close(da_fast, da_ref, 0, 0)) << where << " da";
      EXPECT_TRUE(test::all_close(db_fast, db_ref, 1e-6f, 1e-6f)) << where << " db";
      // Either gradient may be skipped with a null pointer; the other is still written.
      std::vector<float> db_only(l.C, 5.0f);
      k.ref_bwd(nullptr, db_only.data(), dout.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      EXPECT_EQ(db_only, db_ref) << where;
      k.fast_bwd(da_fast.data(), nullptr, dout.data(), a.data(), b.data(), l.outer, l.C, l.inner);
      EXPECT_TRUE(test::all_close(da_fast, da_ref, 0, 0)) << where;
    }
}

TEST(BinaryRef, ScalarOpsFastMatchRef) {
  for (int64_t n : {int64_t{1}, int64_t{9}, (int64_t{1} << 18) + 3}) {
    const std::vector<float> a = test::lcg_values(n, 31), dout = test::lcg_values(n, 32);
    std::vector<float> fast(n), plain(n, 1.0f);
    cpu::add_scalar_forward(fast.data(), a.data(), 0.7f, n);
    ref::add_scalar_forward(plain.data(), a.data(), 0.7f, n);
    EXPECT_TRUE(test::all_close(fast, plain, 0, 0)) << n;
    cpu::add_scalar_backward(fast.data(), dout.data(), 0.7f, n);
    ref::add_scalar_backward(plain.data(), dout.data(), 0.7f, n);
    EXPECT_TRUE(test::all_close(fast, plain, 0, 0)) << n;
    cpu::mul_scalar_forward(fast.data(), a.data(), -1.3f, n);
    ref::mul_scalar_forward(plain.data(), a.data(), -1.3f, n);
    EXPECT_TRUE(test::all_close(fast, plain, 0, 0)) << n;
    cpu::mul_scalar_backward(fast.data(), dout.data(), -1.3f, n);
    ref::mul_scalar_backward(plain.data(), dout.data(), -1.3f, n);
    EXPECT_TRUE(test::all_close(fast, plain, 0, 0)) << n;
    ref::add_scalar_backward(nullptr, dout.data(), 0.7f, n);  // null: skipped
    ref::mul_scalar_backward(nullptr, dout.data(), -1.3f, n);
  }
}
