// conv2d_winograd.cpp - see conv2d_winograd.h; derivation and matrices in docs/conv2d.md#winograd.
//
// Work unit: a block of consecutive tile rows of the batch (tile row r = n th + ty). Per block a
// thread fills V (16, C, T) from the input, runs the 16 GEMMs into M (16, OC, T) and writes the
// output tiles; up to 256 channels V and M are sized to stay in L2 (kBlockFloats), and the input
// and the output pass through memory once. The input patches of a block are first gathered column
// by column (gather_tile_row), so both transforms are contiguous loops over all the block's tiles
// that the compiler vectorizes.
#include "kernels/cpu/conv2d_winograd.h"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/simd.h"
#include "tensor/tensor.h"

namespace dl::cpu {
namespace {

std::atomic<int> g_enabled{-1};  // -1: not decided yet (read DL_WINOGRAD)

constexpr int64_t kXi = 16;  // positions of a transformed 4x4 tile, xi = 4 i + j

// Tiles per block: enough that V + M (16 (C + OC) T floats) fill about 3/4 of a 1 MB L2, at least
// kMinBlockTiles (four column panels of the GEMM), and at least C OC / 1024, because every block
// reads all of U (16 OC C floats: 16 MB at 512 channels) and has to do enough work per read
// (measured at 512 channels, 4x4 planes, batch 128, one thread: 64 tiles 0.87x the direct
// convolution's time, 256 tiles 0.79x).
constexpr int64_t kBlockFloats = 196608, kMinBlockTiles = 64;

// U[xi][o][c] = (G g G^T)[i][j] for g = weight[o, c] (3x3), with
//   G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]   (4 x 3).
void transform_weights(float* U, const float* weight, int64_t OC, int64_t C) {
  for (int64_t o = 0; o < OC; ++o)
    for (int64_t c = 0; c < C; ++c) {
      const float* g = weight + (o * C + c) * 9;
      float t[4][3];  // G g (4 x 3)
      for (int k = 0; k < 3; ++k) {
        t[0][k] = g[k];
        t[1][k] = 0.5f * (g[k] + g[3 + k] + g[6 + k]);
        t[2][k] = 0.5f * (g[k] - g[3 + k] + g[6 + k]);
        t[3][k] = g[6 + k];
      }
      for (int i = 0; i < 4; ++i) {  // (G g) G^T, row i
        const float u[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]),
                            t[i][2]};
        for (int j = 0; j < 4; ++j) U[((4 * i + j) * OC + o) * C + c] = u[j];
      }
    }
}

// even[t] = x[2 t], odd[t] = x[2 t + 1] for t < n: 8 pairs at a time, then 4, then one.
void deinterleave(const float* x, int64_t n, float* even, float* odd) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const simd::Vec<8> a = simd::load<8>(x + 2 * t), b = simd::load<8>(x + 2 * t + 8);
    const simd::Vec<8> e = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    const simd::Vec<8> o = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    simd::store<8>(even + t, e), simd::store<8>(odd + t, o);
  }
  for (; t + 4 <= n; t += 4) {
    const simd::Vec<4> a = simd::load<4>(x + 2 * t), b = simd::load<4>(x + 2 * t + 4);
    const simd::Vec<4> e = __builtin_shufflevector(a, b, 0, 2, 4, 6), o = __builtin_shufflevector(a, b, 1, 3, 5, 7);
    simd::store<4>(even + t, e), simd::store<4>(odd + t, o);
  }
  for (; t < n; ++t) even[t] = x[2 * t], odd[t] = x[2 * t + 1];
}

// The reverse: x[2 t] = even[t], x[2 t + 1] = odd[t] for t < n.
void interleave(const float* even, const float* odd, int64_t n, float* x) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) {
    const simd::Vec<8> e = simd::load<8>(even + t), o = simd::load<8>(odd + t);
    const simd::Vec<8> lo = __builtin_shufflevector(e, o, 0, 8, 1, 9, 2, 10, 3, 11);
    const simd::Vec<8> hi = __builtin_shufflevector(e, o, 4, 12, 5, 13, 6, 14, 7, 15);
    simd::store<8>(x + 2 * t, lo), simd::store<8>(x + 2 * t + 8, hi);
  }
  for (; t + 4 <= n; t += 4) {
    const simd::Vec<4> e = simd::load<4>(even + t), o = simd::load<4>(odd + t);
    simd::store<4>(x + 2 * t, __builtin_shufflevector(e, o, 0, 4, 1, 5));
    simd::store<4>(x + 2 * t + 4, __builtin_shufflevector(e, o, 2, 6, 3, 7));
  }
  for (; t < n; ++t) x[2 * t] = even[t], x[2 * t + 1] = odd[t];
}

// The input is read channel by channel, a few rows of each plane per block: too many short
// streams for the hardware prefetcher, so the rows of the channel kAhead ahead are asked for early.
constexpr int64_t kAhead = 2;
void prefetch_rows(const float* plane, int64_t H, int64_t W, int64_t y0, int64_t y1) {
  for (int64_t y = y0; y < std::min(y1, H); ++y)
    for (int64_t x = 0; x < W; x += 16) __builtin_prefetch(plane + y * W + x);
}

// dst[t] = src[t], t < n, for the short runs here (n < tw): vector moves in line, where a
// std::copy_n became a call to memmove per run (2-3 % of the whole convolution).
void copy_short(float* dst, const float* src, int64_t n) {
  int64_t t = 0;
  for (; t + 8 <= n; t += 8) simd::store<8>(dst + t, simd::load<8>(src + t));
  for (; t + 4 <= n; t += 4) simd::store<4>(dst + t, simd::load<4>(src + t));
  for (; t < n; ++t) dst[t] = src[t];
}

// The 4x4 input patches of a block's tiles for one channel, column by column: d[4 k + q][t] is
// row k, column q of tile t's patch, i.e. input (2 ty - 1 + k, 2 tx - 1 + q), zero outside.
// gather_tile_row fills the tiles col0 .. col0 + tw - 1 of one tile row from the plane (H, W):
// columns 1 and 2 are the even and odd pixels of the input row, columns 0 and 3 the same
// shifted by one tile (column 0 of tile t is column 2 of tile t - 1).
void gather_tile_row(float* const d[16], int64_t col0, const float* plane, int64_t H, int64_t W, int64_t ty,
                     int64_t tw) {
  const int64_t pairs = W / 2;
  for (int k = 0; k < 4; ++k) {
    float *q0 = d[4 * k] + col0, *q1 = d[4 * k + 1] + col0, *q2 = d[4 * k + 2] + col0, *q3 = d[4 * k + 3] + col0;
    const int64_t y = 2 * ty - 1 + k;
    if (y < 0 || y >= H) {
      for (float* q : {q0, q1, q2, q3}) std::fill_n(q, tw, 0.0f);
      continue;
    }
    const float* row = plane + y * W;
    deinterleave(row, pairs, q1, q2);                // q1[t] = row[2 t], q2[t] = row[2 t + 1]
    if (W % 2) q1[pairs] = row[W - 1], q2[pairs] = 0.0f;  // the last tile of an odd row
    q0[0] = 0.0f;                                    // q0[t] = row[2 t - 1] = q2[t - 1]
    copy_short(q0 + 1, q2, tw - 1);
    copy_short(q3, q1 + 1, tw - 1);                  // q3[t] = row[2 t + 2] = q1[t + 1]
    q3[tw - 1] = 0.0f;
  }
}

// V[4 i + j][t] (plane xi at V + xi vs) = (B^T d B)[i][j] for the block's nt tiles, one channel, with
//   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]:
// B^T combines patch rows (r0 - r2, r1 + r2, r2 - r1, r1 - r3), B the columns the same way.
void input_transform_block(float* __restrict V, int64_t vs, const float* const d[16], int64_t nt) {
  for (int i = 0; i < 4; ++i) {
    static constexpr int kA[4] = {0, 1, 2, 1}, kB[4] = {2, 2, 1, 3};
    static constexpr float kSign[4] = {-1.0f, 1.0f, -1.0f, -1.0f};
    const float* a[4] = {d[4 * kA[i]], d[4 * kA[i] + 1], d[4 * kA[i] + 2], d[4 * kA[i] + 3]};
    const float* b[4] = {d[4 * kB[i]], d[4 * kB[i] + 1], d[4 * kB[i] + 2], d[4 * kB[i] + 3]};
    const float sg = kSign[i];
    float *v0 = V + (4 * i) * vs, *v1 = v0 + vs, *v2 = v1 + vs, *v3 = v2 + vs;
    for (int64_t t = 0; t < nt; ++t) {
      const float e0 = a[0][t] + sg * b[0][t], e1 = a[1][t] + sg * b[1][t];  // (B^T d) row i, columns 0-3
      const float e2 = a[2][t] + sg * b[2][t], e3 = a[3][t] + sg * b[3][t];
      v0[t] = e0 - e2, v1[t] = e1 + e2, v2[t] = e2 - e1, v3[t] = e1 - e3;
    }
  }
}

// y[2 a + b][t] = output pixel (a, b) of tile t of a block, t < nt, for one output channel:
// Y = A^T m A + bias, A^T = [[1, 1, 1, 0], [0, 1, -1, -1]], m[i][j] = M[4 i + j][t] (plane
// 4 i + j at M + (4 i + j) ms). Tiles do not mix, so this is one contiguous loop over the block.
void output_transform_block(float* __restrict y, const float* __restrict M, int64_t ms, int64_t nt, float bias) {
  const float* m[16];
  for (int xi = 0; xi < 16; ++xi) m[xi] = M + xi * ms;
  float *y00 = y, *y01 = y + nt, *y10 = y + 2 * nt, *y11 = y + 3 * nt;
  for (int64_t t = 0; t < nt; ++t) {
    float s0[4], s1[4];  // (A^T m) rows 0 and 1: m0j + m1j + m2j and m1j - m2j - m3j
    for (int j = 0; j < 4; ++j) {
      s0[j] = m[j][t] + m[4 + j][t] + m[8 + j][t];
      s1[j] = m[4 + j][t] - m[8 + j][t] - m[12 + j][t];
    }
    y00[t] = s0[0] + s0[1] + s0[2] + bias, y01[t] = s0[1] - s0[2] - s0[3] + bias;
    y10[t] = s1[0] + s1[1] + s1[2] + bias, y11[t] = s1[1] - s1[2] - s1[3] + bias;
  }
}

// Output rows 2 ty and 2 ty + 1 of one plane (H, W) from the tile row's y (output_transform_block,
// tiles col0 .. col0 + tw - 1): pixel (2 ty + a, 2 t + b) = y[2 a + b][col0 + t]. Rows and columns
// past the plane (odd H or W) are not written.
void store_tile_row(float* plane, const float* y, int64_t nt, int64_t col0, int64_t H, int64_t W, int64_t ty,
                    int64_t tw) {
  for (int64_t a = 0; a < 2 && 2 * ty + a < H; ++a) {
    const float *ya0 = y + (2 * a) * nt + col0, *ya1 = y + (2 * a + 1) * nt + col0;
    float* row = plane + (2 * ty + a) * W;
    interleave(ya0, ya1, W / 2, row);
    if (W % 2) row[W - 1] = ya0[tw - 1];
  }
}

}  // namespace

void set_winograd_enabled(bool on) { g_enabled.store(on ? 1 : 0); }

bool conv2d_forward_winograd_fits(int64_t C, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  return KH == 3 && KW == 3 && stride == 1 && pad == 1 && C > 0 && OC > 0 && packed_gemm_available() &&
         env_switch_on(g_enabled, "DL_WINOGRAD");
}

void conv2d_forward_winograd(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                             int64_t C, int64_t H, int64_t W, int64_t OC) {
  const int64_t th = (H + 1) / 2, tw = (W + 1) / 2, rows_total = N * th;
  const int64_t want = std::max({kMinBlockTiles, C * OC / 1024, kBlockFloats / (kXi * (C + OC))});
  const int64_t rows_per_block = std::clamp<int64_t>((want + tw - 1) / tw, 1, rows_total);
  const int64_t tb = rows_per_block * tw, n_blocks = (rows_total + rows_per_block - 1) / rows_per_block;

  // U, then one packed A (gemm_packed.h) per position xi; shared read-only by all threads.
  const int64_t pa = packed_a_floats(OC, C);
  Tensor u_t = Tensor::empty({kXi * OC * C}), up_t = Tensor::empty({kXi * pa});
  transform_weights(u_t.data(), weight, OC, C);
  for (int64_t xi = 0; xi < kXi; ++xi) pack_a(up_t.data() + xi * pa, u_t.data() + xi * OC * C, OC, C, C);
  const float* up = up_t.data();

  const int64_t vs = C * tb, ms = OC * tb;  // floats per plane xi of V and of M
  const int64_t per_thread = kXi * (vs + ms) + 20 * tb;
  const int64_t threads = n_blocks > 1 ? omp_get_max_threads() : 1;
  Tensor ws = Tensor::empty({threads * per_thread});
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    float* V = ws.data() + omp_get_thread_num() * per_thread;  // (16, C, tb)
    float* M = V + kXi * vs;                                    // (16, OC, tb)
    float* scratch = M + kXi * ms;
    float* d[16];  // (16, tb): the input patches of the block's tiles, for one channel at a time
    for (int q = 0; q < 16; ++q) d[q] = scratch + q * tb;
    float* y = scratch + 16 * tb;  // (4, tb): the output pixels of the block's tiles
#pragma omp for schedule(static)
    for (int64_t b = 0; b < n_blocks; ++b) {
      const int64_t r0 = b * rows_per_block, r1 = std::min(rows_total, r0 + rows_per_block);
      const int64_t nt = (r1 - r0) * tw;
      for (int64_t c = 0; c < C; ++c) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t n = r / th, ty = r % th;
          if (c + kAhead < C) prefetch_rows(inp + (n * C + c + kAhead) * H * W, H, W, 2 * ty, 2 * ty + 2);
          gather_tile_row(d, (r - r0) * tw, inp + (n * C + c) * H * W, H, W, ty, tw);
        }
        input_transform_block(V + c * tb, vs, d, nt);
      }
      for (int64_t xi = 0; xi < kXi; ++xi)
        gemm_packed_a(OC, nt, C, up + xi * pa, V + xi * vs, tb, M + xi * ms, tb);
      for (int64_t o = 0; o < OC; ++o) {
        output_transform_block(y, M + o * tb, ms, nt, bias ? bias[o] : 0.0f);
        for (int64_t r = r0; r < r1; ++r)
          store_tile_row(out + ((r / th) * OC + o) * H * W, y, nt, (r - r0) * tw, H, W, r % th, tw);
      }
    }
  }
}

}  // namespace dl::cpu
