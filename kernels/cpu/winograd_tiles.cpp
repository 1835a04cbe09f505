// winograd_tiles.cpp - see winograd_tiles.h; the matrices B^T, G, A^T and why these formulas:
// docs/conv2d.md#winograd.
#include "kernels/cpu/winograd_tiles.h"

#include <algorithm>

#include "kernels/cpu/gemm_packed.h"
#include "kernels/cpu/row_moves.h"
#include "kernels/cpu/simd.h"

// Vector values of simd.h inside always-inline helpers draw "ABI changes without AVX" notes on
// builds without AVX; no such vector crosses a real call.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu::winograd {
namespace {

// Tiles per block: enough that V + M (16 (C + OC) T floats) fill about 3/4 of a 1 MB L2, at least
// kMinBlockTiles (four column panels of the GEMM), and at least C OC / 1024, because every block
// reads all of U (16 OC C floats: 16 MB at 512 channels) and has to do enough work per read
// (measured at 512 channels, 4x4 planes, batch 128, one thread: 64 tiles 0.87x the direct
// convolution's time, 256 tiles 0.79x).
constexpr int64_t kBlockFloats = 196608, kMinBlockTiles = 64;

}  // namespace

// (G g G^T) for one 3x3 g, as u[4 i + j], with
//   G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]   (4 x 3).
inline void transform_one(float u[16], const float* g) {
  float t[4][3];  // G g (4 x 3)
  for (int k = 0; k < 3; ++k) {
    t[0][k] = g[k];
    t[1][k] = 0.5f * (g[k] + g[3 + k] + g[6 + k]);
    t[2][k] = 0.5f * (g[k] - g[3 + k] + g[6 + k]);
    t[3][k] = g[6 + k];
  }
  for (int i = 0; i < 4; ++i) {  // (G g) G^T, row i
    u[4 * i] = t[i][0];
    u[4 * i + 1] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
    u[4 * i + 2] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
    u[4 * i + 3] = t[i][2];
  }
}

void transform_weights_packed(float* Up, const float* weight, int64_t OC, int64_t C) {
  const int64_t pa = packed_a_floats(OC, C), panels = (OC + kPackMr - 1) / kPackMr;
  // Panel by panel (in parallel: 16 x 512 x 512 floats at 512 channels), c then the panel's 6 rows:
  // each of the 16 packed matrices is written front to back.
#pragma omp parallel for schedule(static) if (OC * C >= 16384)
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < kPackMr; ++r) {
        const int64_t o = p * kPackMr + r;
        float u[16] = {};
        if (o < OC) transform_one(u, weight + (o * C + c) * 9);
        for (int xi = 0; xi < 16; ++xi) Up[xi * pa + (p * C + c) * kPackMr + r] = u[xi];
      }
}

// The input is read channel by channel, a few rows of each plane per block: too many short
// streams for the hardware prefetcher, so the rows of the channel kAhead ahead are asked for early.
void prefetch_rows(const float* plane, int64_t H, int64_t W, int64_t y0, int64_t y1) {
  for (int64_t y = y0; y < std::min(y1, H); ++y)
    for (int64_t x = 0; x < W; x += 16) __builtin_prefetch(plane + y * W + x);
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

// g[2 a + b][col0 + t] = dy pixel (2 ty + a, 2 t + b): the even and odd pixels of output rows
// 2 ty and 2 ty + 1, zero past the plane (odd H or W).
void gather_grad_tile_row(float* const g[4], int64_t col0, const float* plane, int64_t H, int64_t W, int64_t ty,
                          int64_t tw) {
  const int64_t pairs = W / 2;
  for (int64_t a = 0; a < 2; ++a) {
    float *even = g[2 * a] + col0, *odd = g[2 * a + 1] + col0;
    if (2 * ty + a >= H) {
      std::fill_n(even, tw, 0.0f), std::fill_n(odd, tw, 0.0f);
      continue;
    }
    const float* row = plane + (2 * ty + a) * W;
    deinterleave(row, pairs, even, odd);
    if (W % 2) even[pairs] = row[W - 1], odd[pairs] = 0.0f;
  }
}

// dM = A g A^T per tile (the adjoint of Y = A^T M A): A g has rows g0, g0 + g1, g0 - g1, -g1 (g0,
// g1 the rows of the 2x2 g), and a row (u, v) times A^T is (u, u + v, u - v, -v). One loop per
// row i of dM with its four planes as restrict pointers, so that each is a plain vector loop.
template <class Row>
void grad_row(float* __restrict m0, float* __restrict m1, float* __restrict m2, float* __restrict m3,
              const float* const g[4], int64_t nt, Row row) {
  for (int64_t t = 0; t < nt; ++t) {
    const float u = row(g[0][t], g[2][t]), v = row(g[1][t], g[3][t]);  // (A g)[i]: columns 0 and 1
    m0[t] = u, m1[t] = u + v, m2[t] = u - v, m3[t] = -v;
  }
}

void output_grad_transform_block(float* dM, int64_t stride, const float* const g[4], int64_t nt) {
  auto plane = [&](int xi) { return dM + xi * stride; };
  grad_row(plane(0), plane(1), plane(2), plane(3), g, nt, [](float a, float) { return a; });
  grad_row(plane(4), plane(5), plane(6), plane(7), g, nt, [](float a, float b) { return a + b; });
  grad_row(plane(8), plane(9), plane(10), plane(11), g, nt, [](float a, float b) { return a - b; });
  grad_row(plane(12), plane(13), plane(14), plane(15), g, nt, [](float, float b) { return -b; });
}

// dweight[o, c] += G^T du G for du = dU[.][o, c] (4x4), G^T = [[1, 1/2, 1/2, 0], [0, 1/2, -1/2, 0],
// [0, 1/2, 1/2, 1]]: the gradient of U = G g G^T with respect to g.
void weight_grad_from_transformed(float* dweight, const float* dU, int64_t OC, int64_t C) {
  for (int64_t o = 0; o < OC; ++o)
    for (int64_t c = 0; c < C; ++c) {
      float u[4][4];
      for (int xi = 0; xi < 16; ++xi) u[xi / 4][xi % 4] = dU[(xi * OC + o) * C + c];
      float t[3][4];  // G^T du
      for (int j = 0; j < 4; ++j) {
        t[0][j] = u[0][j] + 0.5f * (u[1][j] + u[2][j]);
        t[1][j] = 0.5f * (u[1][j] - u[2][j]);
        t[2][j] = 0.5f * (u[1][j] + u[2][j]) + u[3][j];
      }
      float* dw = dweight + (o * C + c) * 9;
      for (int k = 0; k < 3; ++k) {  // (G^T du) G, row k
        dw[3 * k] += t[k][0] + 0.5f * (t[k][1] + t[k][2]);
        dw[3 * k + 1] += 0.5f * (t[k][1] - t[k][2]);
        dw[3 * k + 2] += 0.5f * (t[k][1] + t[k][2]) + t[k][3];
      }
    }
}

void transform_input_block(float* V, const float* inp, int64_t C, int64_t H, int64_t W, const Tiling& tl, int64_t r0,
                           int64_t r1, float* const d[16]) {
  const int64_t nt = (r1 - r0) * tl.tw;
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / tl.th, ty = r % tl.th;
      if (c + kAhead < C) prefetch_rows(inp + (n * C + c + kAhead) * H * W, H, W, 2 * ty, 2 * ty + 2);
      gather_tile_row(d, (r - r0) * tl.tw, inp + (n * C + c) * H * W, H, W, ty, tl.tw);
    }
    input_transform_block(V + c * tl.tb, C * tl.tb, d, nt);
  }
}

void transform_grad_block(float* dM, const float* dout, int64_t OC, int64_t H, int64_t W, const Tiling& tl,
                          int64_t r0, int64_t r1, float* const g[4]) {
  const int64_t nt = (r1 - r0) * tl.tw;
  for (int64_t o = 0; o < OC; ++o) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / tl.th, ty = r % tl.th;
      gather_grad_tile_row(g, (r - r0) * tl.tw, dout + (n * OC + o) * H * W, H, W, ty, tl.tw);
    }
    output_grad_transform_block(dM + o * tl.tb, OC * tl.tb, g, nt);
  }
}

Tiling make_tiling(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC) {
  Tiling t{};
  t.th = (H + 1) / 2, t.tw = (W + 1) / 2, t.rows_total = N * t.th;
  const int64_t want = std::max({kMinBlockTiles, C * OC / 1024, kBlockFloats / (kXi * (C + OC))});
  t.rows_per_block = std::clamp<int64_t>((want + t.tw - 1) / t.tw, 1, t.rows_total);
  t.tb = t.rows_per_block * t.tw;
  t.n_blocks = (t.rows_total + t.rows_per_block - 1) / t.rows_per_block;
  return t;
}

}  // namespace dl::cpu::winograd
