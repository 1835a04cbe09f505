// winograd_tiles.h - the pieces of Winograd's F(2x2, 3x3) on 2x2 output tiles, shared by the
// forward (conv2d_winograd.cpp) and the weight gradient (conv2d_winograd_wgrad.cpp); the matrices
// and their derivation: docs/conv2d.md#winograd.
//
// Layout. A stride-1 pad-1 3x3 convolution of (N, C, H, W) has th x tw = ceil(H/2) x ceil(W/2)
// tiles per image; tile row r = n th + ty of the batch holds tw tiles. Work goes in blocks of
// consecutive tile rows (Tiling), T = rows_per_block tw tiles at most; a block's transformed data
// are 16 planes xi = 4 i + j, each (channels, T) row-major, plane xi `stride` floats after plane 0.
// Every transform is a contiguous loop over the block's tiles (the gathers put each patch
// position in its own array first), which the compiler vectorizes.
#pragma once
#include <cstdint>

namespace dl::cpu::winograd {

constexpr int64_t kXi = 16;  // positions of a transformed 4x4 tile

struct Tiling {
  int64_t th, tw;            // tile rows and columns per image: ceil(H / 2), ceil(W / 2)
  int64_t rows_total;        // N th
  int64_t rows_per_block, tb, n_blocks;  // tb = rows_per_block tw: the planes' row length
};
Tiling make_tiling(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC);

// U_xi[o][c] = (G g G^T)[i][j] (xi = 4 i + j) for g = weight[o, c] (3x3), written as 16 packed A
// matrices for the micro-kernel (gemm_packed.h: pack_a's layout, packed_a_floats(OC, C) apart).
void transform_weights_packed(float* Up, const float* weight, int64_t OC, int64_t C);
// dweight[o, c] += G^T dU[o, c] G: the weight gradient from the gradient of U (dU laid out as U).
void weight_grad_from_transformed(float* dweight, const float* dU, int64_t OC, int64_t C);

// Asks for rows [y0, y1) of a plane (H, W) ahead of their use (gather_tile_row of a later channel).
void prefetch_rows(const float* plane, int64_t H, int64_t W, int64_t y0, int64_t y1);
constexpr int64_t kAhead = 2;  // channels ahead

// d[4 k + q][col0 + t] = input (2 ty - 1 + k, 2 t - 1 + q) of plane (H, W), zero outside, t < tw.
void gather_tile_row(float* const d[16], int64_t col0, const float* plane, int64_t H, int64_t W, int64_t ty,
                     int64_t tw);
// V[xi][t] = (B^T d B)[i][j] for nt tiles of one channel; plane xi at V + xi stride.
void input_transform_block(float* V, int64_t stride, const float* const d[16], int64_t nt);

// y[2 a + b][t] = (A^T m A)[a][b] + bias for nt tiles of one output channel, m[i][j] = M[xi][t].
void output_transform_block(float* y, const float* M, int64_t stride, int64_t nt, float bias);
// Output pixels (2 ty + a, 2 t + b) of plane (H, W) = y[2 a + b][col0 + t] (y planes nt apart).
void store_tile_row(float* plane, const float* y, int64_t nt, int64_t col0, int64_t H, int64_t W, int64_t ty,
                    int64_t tw);

// The weight gradient's two: g[2 a + b][col0 + t] = dy (2 ty + a, 2 t + b) of plane (H, W), zero
// past the plane; and dM[xi][t] = (A g A^T)[i][j], the gradient of M (the transpose of Y = A^T M A).
void gather_grad_tile_row(float* const g[4], int64_t col0, const float* plane, int64_t H, int64_t W, int64_t ty,
                          int64_t tw);
void output_grad_transform_block(float* dM, int64_t stride, const float* const g[4], int64_t nt);

// The whole input side of one block (tile rows [r0, r1) of the batch): V[xi][c][t] for every
// channel of inp (N, C, H, W), through gather_tile_row and input_transform_block; d: 16 scratch
// rows of tl.tb floats. Prefetches the rows of the channel kAhead ahead.
void transform_input_block(float* V, const float* inp, int64_t C, int64_t H, int64_t W, const Tiling& tl, int64_t r0,
                           int64_t r1, float* const d[16]);
// The same for the output gradient dout (N, OC, H, W): dM[xi][o][t]; g: 4 scratch rows of tl.tb.
void transform_grad_block(float* dM, const float* dout, int64_t OC, int64_t H, int64_t W, const Tiling& tl,
                          int64_t r0, int64_t r1, float* const g[4]);

}  // namespace dl::cpu::winograd
