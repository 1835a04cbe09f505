// test_axpy.cpp - y += a x (gradient sums, optimizers): fast (kernels/cpu/axpy) against plain
// (kernels/ref/axpy) around the OpenMP threshold (65536 elements); y is accumulated into, not
// overwritten. The same float formula on both sides except that the compiler may fuse the
// multiply-add in either: rtol 1e-6, atol 1e-7.
#include <gtest/gtest.h>

#include "kernels/cpu/axpy.h"
#include "kernels/ref/axpy.h"
#include "tests/gradcheck.h"

namespace {

TEST(AxpyRef, FastMatchesRefAndAccumulates) {
  for (int64_t n : {int64_t{1}, int64_t{7}, int64_t{8}, int64_t{9}, int64_t{65537}, int64_t{100003}}) {
    const std::vector<float> x = dl::test::lcg_values(n, 71), y0 = dl::test::lcg_values(n, 72);
    std::vector<float> y_fast = y0, y_ref = y0;
    dl::cpu::axpy(y_fast.data(), x.data(), -0.37f, n);
    dl::ref::axpy(y_ref.data(), x.data(), -0.37f, n);
    EXPECT_TRUE(dl::test::all_close(y_fast, y_ref, 1e-7f, 1e-6f)) << n;
    EXPECT_FLOAT_EQ(y_ref[0], y0[0] - 0.37f * x[0]);
  }
}

}  // namespace
