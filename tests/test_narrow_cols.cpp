// test_narrow_cols.cpp - the column-slice kernels (VAE: mu and logvar are the two halves of one
// linear output): fast (kernels/cpu/narrow_cols) against plain (kernels/ref/narrow_cols), and
// the backward's zeros outside the slice. A copy on both sides: tolerance 0.
#include <gtest/gtest.h>

#include "kernels/cpu/narrow_cols.h"
#include "kernels/ref/narrow_cols.h"
#include "tests/gradcheck.h"

namespace {

TEST(NarrowColsRef, FastMatchesRef) {
  struct Case {
    int64_t N, D, begin, w;
  };
  for (const Case& c : {Case{1, 1, 0, 1}, Case{3, 8, 0, 4}, Case{3, 8, 4, 4}, Case{5, 7, 2, 3}, Case{64, 1024, 512, 512},
                        Case{4, 9, 0, 9}}) {
    const std::vector<float> x = dl::test::lcg_values(c.N * c.D, 61), g = dl::test::lcg_values(c.N * c.w, 62);
    std::vector<float> y_fast(c.N * c.w), y_ref(c.N * c.w), dx_fast(c.N * c.D, 7.0f), dx_ref(c.N * c.D, -7.0f);
    dl::cpu::narrow_cols_forward(y_fast.data(), x.data(), c.N, c.D, c.begin, c.w);
    dl::ref::narrow_cols_forward(y_ref.data(), x.data(), c.N, c.D, c.begin, c.w);
    EXPECT_EQ(y_fast, y_ref) << c.N << "x" << c.D << " [" << c.begin << ", +" << c.w << ")";
    dl::cpu::narrow_cols_backward(dx_fast.data(), g.data(), c.N, c.D, c.begin, c.w);
    dl::ref::narrow_cols_backward(dx_ref.data(), g.data(), c.N, c.D, c.begin, c.w);
    EXPECT_EQ(dx_fast, dx_ref) << c.N << "x" << c.D << " [" << c.begin << ", +" << c.w << ")";
  }
}

TEST(NarrowColsRef, BackwardWritesZerosOutsideTheSlice) {
  const std::vector<float> g = {1, 2, 3, 4};  // (2, 2)
  std::vector<float> dx(8, 9.0f);              // (2, 4), pre-filled: written, not added
  dl::ref::narrow_cols_backward(dx.data(), g.data(), 2, 4, 1, 2);
  EXPECT_EQ(dx, (std::vector<float>{0, 1, 2, 0, 0, 3, 4, 0}));
}

}  // namespace
