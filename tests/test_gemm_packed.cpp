// test_gemm_packed.cpp - our packed-A SGEMM (kernels/cpu/gemm_packed.h) against a double-precision
// reference on odd shapes (M not a multiple of 6, N not a multiple of 16, K over the 256 chunk,
// row strides larger than the widths), and the convolution with it on vs off (OpenBLAS). The
// micro-kernels run at both SIMD widths (8 and 16 floats, kernels/cpu/simd.h) whatever the CPU:
// a 16-wide kernel on an AVX2-only build runs split into halves, so its logic is tested there too.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "autograd/functions.h"
#include "kernels/cpu/gemm_packed.h"
#include "tests/gradcheck.h"

namespace {

using dl::test::lcg_values;

constexpr int kWidths[] = {8, 16};

// Sets the micro-kernels' SIMD width for one scope, then restores the previous one.
struct WidthScope {
  int saved = dl::cpu::packed_simd_width();
  explicit WidthScope(int w) { dl::cpu::set_packed_simd_width(w); }
  ~WidthScope() { dl::cpu::set_packed_simd_width(saved); }
};

// The micro-kernel's contract, exactly: C[r][j] = (first ? 0 : C0[r][j]) + s, with s the float
// sum fma(a_k, b_k, s) over k ascending from 0 (one rounding per FMA, like the vector code); row r
// of the call is row m0 + r of the packed A (panels of 6 rows, panel_floats apart).
float tile_reference(const float* Ap, int64_t panel_floats, int64_t m0, const float* b_row0, int64_t ldb, int64_t kc,
                     int64_t r, int64_t j, bool first, float c0) {
  constexpr int64_t kMr = dl::cpu::kPackMr;
  const float* a = Ap + (m0 + r) / kMr * panel_floats + (m0 + r) % kMr;
  float s = 0.0f;
  for (int64_t k = 0; k < kc; ++k) s = std::fmaf(a[k * kMr], b_row0[k * ldb + j], s);
  return first ? s : c0 + s;
}

// Every tile shape the callers use (a call on panel 0 or 1 with 1..6 rows, or at width 16 with up
// to 16 rows, i.e. up to three panels; nr 16 or a partial panel; one k or a whole chunk; first or
// accumulating), B as a panel, as two adjacent 8-float halves through the offset table and as two
// halves apart: the same bits as tile_reference, at both widths.
TEST(GemmPacked, MicroKernelsMatchTheirContractAtBothWidths) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: the packed GEMM is not used here";
  constexpr int64_t ldc = 21, kMaxK = 256, kLdb = 40;  // B rows 40 apart: halves at +0 / +8 or +0 / +24
  constexpr int64_t kPanelFloats = kMaxK * dl::cpu::kPackMr + 18;  // panels not adjacent to each other
  const auto Ap = lcg_values(3 * kPanelFloats, 11), B = lcg_values(kMaxK * kLdb, 12), C0 = lcg_values(16 * ldc, 13);
  struct Start { int64_t m0, max_rows; };
  std::vector<float> panel(kMaxK * 16);
  std::vector<int64_t> off(kMaxK);
  for (int64_t k = 0; k < kMaxK; ++k) off[k] = k * kLdb;
  enum Mode { kPanel, kAdjacent, kApart };
  for (const int width : kWidths) {
    const WidthScope ws(width);
    for (const Mode mode : {kPanel, kAdjacent, kApart})
      for (const int64_t kc : {int64_t{1}, int64_t{7}, kMaxK})
        for (const Start st : width == 16 ? std::vector<Start>{{0, 16}, {6, 12}} : std::vector<Start>{{0, 6}, {6, 6}})
          for (int64_t mr = 1; mr <= st.max_rows; ++mr)
            for (const int64_t nr : {int64_t{16}, int64_t{11}, int64_t{1}})
              for (const bool first : {true, false}) {
                std::vector<float> C = C0;
                const int64_t hi = mode == kApart ? 24 : 8;  // where the second 8-float half starts
                const float* halves[2] = {B.data(), B.data() + hi};
                for (int64_t k = 0; k < kc; ++k) {  // the B the kernel sees, as a 16-wide panel
                  std::memcpy(&panel[k * 16], &B[k * kLdb], 8 * sizeof(float));
                  std::memcpy(&panel[k * 16 + 8], &B[k * kLdb + hi], 8 * sizeof(float));
                }
                const dl::cpu::PackedRows a = dl::cpu::packed_rows(Ap.data(), kPanelFloats, st.m0);
                if (mode == kPanel) dl::cpu::micro_kernel(kc, a, panel.data(), C.data(), ldc, mr, nr, first);
                else dl::cpu::micro_kernel_offsets(kc, a, halves, off.data(), C.data(), ldc, mr, nr, first);
                for (int64_t r = 0; r < 16; ++r)
                  for (int64_t j = 0; j < ldc; ++j) {
                    const bool inside = r < mr && j < nr;
                    const float c0 = C0[r * ldc + j];
                    const float want =
                        inside ? tile_reference(Ap.data(), kPanelFloats, st.m0, panel.data(), 16, kc, r, j, first, c0)
                               : c0;
                    ASSERT_EQ(C[r * ldc + j], want)
                        << "width " << width << " m0 " << st.m0 << " mode " << mode << " kc " << kc << " mr " << mr
                        << " nr " << nr << " first " << first << " at (" << r << ", " << j << ")"
                        << (inside ? "" : " (outside the tile: untouched)");
                  }
              }
  }
}

// The two-panel call (width 16): a 32-column tile whose row k is 16 floats at B0 + off[k] and 16
// at B1 + off[k]; every row count 1..12, from panel 0 and panel 1, first or accumulating: the same
// bits as tile_reference on the concatenated rows.
TEST(GemmPacked, PanelPairKernelMatchesItsContract) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: the packed GEMM is not used here";
  const WidthScope ws(16);
  ASSERT_TRUE(dl::cpu::micro_kernel_pairs());
  constexpr int64_t ldc = 37, kc = 300, kLdb = 70, kPanelFloats = kc * dl::cpu::kPackMr + 6;
  const auto Ap = lcg_values(3 * kPanelFloats, 21), B = lcg_values(kc * kLdb, 22), C0 = lcg_values(12 * ldc, 23);
  std::vector<int64_t> off(kc);
  for (int64_t k = 0; k < kc; ++k) off[k] = k * kLdb;
  std::vector<float> cat(kc * 32);  // the tile's B: row k = B[k][0..16) followed by B[k][40..56)
  for (int64_t k = 0; k < kc; ++k)
    for (int64_t j = 0; j < 32; ++j) cat[k * 32 + j] = B[k * kLdb + (j < 16 ? j : 24 + j)];
  for (const int64_t m0 : {int64_t{0}, int64_t{6}})
    for (int64_t mr = 1; mr <= 12; ++mr)
      for (const bool first : {true, false}) {
        std::vector<float> C = C0;
        dl::cpu::micro_kernel_pair_offsets(kc, dl::cpu::packed_rows(Ap.data(), kPanelFloats, m0), B.data(),
                                           B.data() + 40, off.data(), C.data(), ldc, mr, first);
        for (int64_t r = 0; r < 12; ++r)
          for (int64_t j = 0; j < ldc; ++j) {
            const bool inside = r < mr && j < 32;
            const float c0 = C0[r * ldc + j];
            const float want =
                inside ? tile_reference(Ap.data(), kPanelFloats, m0, cat.data(), 32, kc, r, j, first, c0) : c0;
            ASSERT_EQ(C[r * ldc + j], want) << "m0 " << m0 << " mr " << mr << " first " << first << " at (" << r
                                            << ", " << j << ")";
          }
      }
}

TEST(GemmPacked, MatchesReferenceOnOddShapes) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA: the packed GEMM is not used here";
  struct Shape { int64_t M, N, K; };
  for (const int width : kWidths)
  for (const Shape s : {Shape{1, 1, 1}, Shape{7, 37, 300}, Shape{16, 1024, 144}, Shape{13, 5, 513}, Shape{6, 16, 256},
                        Shape{32, 40, 70}, Shape{23, 17, 260}, Shape{64, 20, 30},
                        Shape{17, 33, 9}, Shape{29, 75, 300}}) {
    const WidthScope ws(width);
    const int64_t lda = s.K + 3, ldb = s.N + 5, ldc = s.N + 2;
    const auto A = lcg_values(s.M * lda, 1), B = lcg_values(s.K * ldb, 2);
    std::vector<float> C(s.M * ldc, 7.0f), Ap(dl::cpu::packed_a_floats(s.M, s.K));
    dl::cpu::pack_a(Ap.data(), A.data(), s.M, s.K, lda);
    dl::cpu::gemm_packed_a(s.M, s.N, s.K, Ap.data(), B.data(), ldb, C.data(), ldc);
    for (int64_t m = 0; m < s.M; ++m) {
      for (int64_t n = 0; n < s.N; ++n) {
        double ref = 0;
        for (int64_t k = 0; k < s.K; ++k) ref += static_cast<double>(A[m * lda + k]) * B[k * ldb + n];
        ASSERT_NEAR(C[m * ldc + n], ref, 1e-4 * (1 + std::sqrt(static_cast<double>(s.K))))
            << "width " << width << " M " << s.M << " N " << s.N << " K " << s.K << " at (" << m << ", " << n << ")";
      }
      for (int64_t n = s.N; n < ldc; ++n) ASSERT_EQ(C[m * ldc + n], 7.0f) << "wrote past N at row " << m;
    }
  }
}

TEST(GemmPacked, ConvolutionAgreesWithOpenBlasPath) {
  if (!dl::cpu::packed_gemm_available()) GTEST_SKIP() << "no AVX2+FMA";
  // Every kind of B panel of the packed forward (kernels/cpu/conv2d_packed.cpp): one 16-pixel run
  // (32 wide), two 8-pixel runs (8 wide), four 4-pixel runs (4 wide), general runs (9 wide, odd
  // planes, the last partial panel; at width 16 pairs of panels of one image, or of two images at
  // 4x4, with an odd image count); strides 1-3 with their phase planes, 1x1 shortcuts (pad 0),
  // 'valid' and over-padded convolutions, a channel count over one K chunk, and a plane of < 16
  // pixels (the old path on both sides).
  struct Case { int64_t N, C, H, W, OC, KH, KW, stride, pad; };
  const Case cases[] = {{5, 7, 9, 9, 11, 3, 3, 1, 1},  {5, 7, 9, 9, 11, 3, 3, 2, 1},  {2, 3, 32, 32, 8, 3, 3, 1, 1},
                        {2, 5, 32, 32, 7, 3, 3, 2, 1}, {3, 40, 8, 8, 13, 3, 3, 1, 1}, {3, 6, 16, 16, 4, 1, 1, 2, 0},
                        {4, 9, 4, 4, 6, 3, 3, 1, 1},   {2, 4, 11, 13, 5, 5, 3, 1, 0}, {2, 4, 12, 10, 5, 3, 5, 3, 2},
                        {2, 2, 7, 7, 3, 3, 3, 1, 3},   {3, 4, 6, 6, 5, 3, 3, 2, 1},   {5, 20, 4, 4, 14, 3, 3, 1, 1}};
  dl::Generator gen(3);
  for (const Case& k : cases) {
    const dl::Tensor x = dl::rand_uniform({k.N, k.C, k.H, k.W}, -1, 1, gen);
    const dl::Tensor w = dl::rand_uniform({k.OC, k.C, k.KH, k.KW}, -1, 1, gen);
    const dl::Tensor b = dl::rand_uniform({k.OC}, -1, 1, gen);
    const auto on = dl::conv2d(x, w, b, k.stride, k.pad).to_vector();
    std::vector<float> on16;
    {
      const WidthScope ws(16);
      on16 = dl::conv2d(x, w, b, k.stride, k.pad).to_vector();
    }
    ASSERT_EQ(on16, on) << "widths 16 and " << dl::cpu::packed_simd_width() << " differ: input (" << k.N << ", " << k.C
                        << ", " << k.H << ", " << k.W << "), stride " << k.stride;
    dl::cpu::set_packed_gemm_enabled(false);
    const auto off = dl::conv2d(x, w, b, k.stride, k.pad).to_vector();
    dl::cpu::set_packed_gemm_enabled(true);
    ASSERT_EQ(on.size(), off.size());
    for (size_t i = 0; i < on.size(); ++i)
      ASSERT_NEAR(on[i], off[i], 1e-4 * (1 + std::sqrt(static_cast<double>(k.C * k.KH * k.KW))))
          << "input (" << k.N << ", " << k.C << ", " << k.H << ", " << k.W << "), weight (" << k.OC << ", " << k.C
          << ", " << k.KH << ", " << k.KW << "), stride " << k.stride << " pad " << k.pad << " at " << i;
  }
}

}  // namespace

namespace {

// The packed forward (and the stride-1 input gradient, which is a forward convolution) must give
// the same bits with 1 and 2 threads; the shape is large enough to take the parallel path.
TEST(GemmPacked, ConvolutionBitwiseSameForOneAndTwoThreads) {
  dl::Generator gen(5);
  const dl::Tensor x0 = dl::rand_uniform({8, 16, 16, 16}, -1, 1, gen);
  const dl::Tensor w0 = dl::rand_uniform({24, 16, 3, 3}, -1, 1, gen);
  const dl::Tensor seed = dl::rand_uniform({8, 24, 16, 16}, -1, 1, gen);
  auto run = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    dl::Tensor x = x0.clone(), w = w0.clone();
    x.set_requires_grad();
    w.set_requires_grad();
    dl::Tensor y = dl::conv2d(x, w, dl::Tensor(), 1, 1);
    dl::backward(y, seed);
    omp_set_num_threads(saved);
    std::vector<float> all = y.to_vector();
    for (const dl::Tensor& g : {x.grad(), w.grad()}) {
      const auto v = g.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  const auto one = run(1), two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i) ASSERT_EQ(one[i], two[i]) << "element " << i;
  // And the same bits whatever SIMD width the micro-kernels are built for (every C element is one
  // FMA per k, in k order, at both widths).
  for (const int width : kWidths) {
    const WidthScope ws(width);
    const auto w1 = run(1);
    ASSERT_EQ(w1.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) ASSERT_EQ(w1[i], one[i]) << "width " << width << ", element " << i;
  }
}

}  // namespace
