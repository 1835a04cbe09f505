// conv2d.cu - convolution by im2col + one cuBLAS GEMM per chunk of images (CUDA twin of
// kernels/cpu/conv2d.cpp; same notation, see docs/conv2d.md).
//
// K = C KH KW (reduction length), P = OH OW (output pixels per image). A chunk holds nb images
// starting at n0; its column matrix is cols (K, nb P):
//   cols[(c KH + kh) KW + kw][i P + oh OW + ow] = inp[n0 + i][c][oh s - pad + kh][ow s - pad + kw]
// (zero outside the image). Then, per chunk,
//   forward   out_i (OC, P)    = W (OC, K) cols_i (K, P)      for each image i of the chunk: one
//             strided-batched GEMM writes NCHW directly (cols_i = columns [i P, (i+1) P)), + bias
//   dweight   dW (OC, K)      += dY (OC, nb P) cols^T          (dY gathered from NCHW)
//   dinp      dcols (K, nb P)  = W^T (K, OC) dY (OC, nb P)     -> col2im into dinp
// nb is as large as a 256 MB column buffer allows (the whole batch for the small layers), so the
// GEMMs are big. col2im is a gather: one thread per input pixel adds its KH KW contributions in a
// fixed order, so the backward has no atomics and is deterministic; dweight is accumulated over
// the chunks in order on the stream. im2col / col2im put (image, channel) in the grid's z / y and
// take the kernel size and stride as template parameters for the ResNet shapes (PlaneGrid).
//
// Naive: a direct kernel, one thread per output value looping over C KH KW taps and reading
// the input from global memory with little reuse: latency/memory bound, far below the FP32 peak.
// Here: im2col writes the column matrix once and one cuBLAS call per chunk does all the
// multiply-adds (near peak for these sizes); col2im is a gather with no atomics.
// Bound: the GEMMs are compute bound (2 OC K FLOP per output pixel); im2col/col2im are memory
// bound and cost 8 B per cols element (written, then read by the GEMM), i.e. KH KW times the input
// size, which an implicit-GEMM convolution (cuDNN) avoids.
#include <algorithm>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/conv2d.h"
#include "kernels/cuda/gemm.h"

namespace dl::cuda {

namespace {

struct Conv {
  int64_t N, C, H, W, OC, KH, KW, s, pad, OH, OW, K, P;
};

Conv make_conv(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t s,
               int64_t pad) {
  Conv d{N, C, H, W, OC, KH, KW, s, pad, 0, 0, 0, 0};
  d.OH = (H + 2 * pad - KH) / s + 1;
  d.OW = (W + 2 * pad - KW) / s + 1;
  d.K = C * KH * KW;
  d.P = d.OH * d.OW;
  return d;
}

constexpr int64_t kMaxColsFloats = int64_t{64} << 20;  // 256 MB of columns per chunk

int64_t images_per_chunk(const Conv& d) {
  // At most 65535 images: the chunk's images are the grid's z dimension in im2col / col2im.
  return std::clamp<int64_t>(kMaxColsFloats / std::max<int64_t>(1, d.K * d.P), 1, std::min<int64_t>(d.N, 65535));
}

// Launch shape of im2col / col2im: image i of the chunk in blockIdx.z, channel c in blockIdx.y,
// pixels of that (image, channel) plane along x, so no thread divides a 64-bit flat index into
// (image, channel, pixel); the only division left is a 32-bit pixel -> (row, column). The kernel
// size and stride are template parameters for the ResNet shapes (3x3 stride 1 and 2, 1x1 stride
// 1 and 2): the tap loops unroll and the col2im stride tests become shifts and masks; 0 means
// "read it from Conv" (the generic instance for any other shape).
struct PlaneGrid {
  dim3 grid, block;
};
PlaneGrid plane_grid(int64_t pixels, int64_t C, int64_t nb) {
  DL_CHECK(C <= 65535 && nb <= 65535, "conv2d (CUDA): ", C, " channels or ", nb,
           " images per chunk exceed the grid's y/z limit of 65535");
  // Block: the plane rounded up to whole warps, at most 256 threads (4x4 planes: one warp).
  const int threads = static_cast<int>(std::min<int64_t>(256, ceil_div(pixels, 32) * 32));
  return {dim3(static_cast<unsigned>(ceil_div(pixels, threads)), static_cast<unsigned>(C), static_cast<unsigned>(nb)),
          dim3(static_cast<unsigned>(threads))};
}

// cols (K, nb P): thread (i, c, p) writes the KH KW entries of output pixel p of image i that
// read channel c, rows (c KH + kh) KW + kw, column i P + p (coalesced along p for each tap).
template <int KH_, int KW_, int S_>
__global__ void im2col_kernel(float* cols, const float* inp, Conv d, int64_t n0, int64_t nb) {
  const int KH = KH_ ? KH_ : static_cast<int>(d.KH), KW = KW_ ? KW_ : static_cast<int>(d.KW);
  const int S = S_ ? S_ : static_cast<int>(d.s);
  const int H = static_cast<int>(d.H), W = static_cast<int>(d.W), OW = static_cast<int>(d.OW);
  const int P = static_cast<int>(d.P), pad = static_cast<int>(d.pad);
  const int i = blockIdx.z, c = blockIdx.y;
  const int p = blockIdx.x * blockDim.x + threadIdx.x;
  if (p >= P) return;
  const int64_t ld = nb * d.P;
  const float* plane = inp + ((n0 + i) * d.C + c) * d.H * d.W;
  float* out = cols + static_cast<int64_t>(c) * KH * KW * ld + static_cast<int64_t>(i) * d.P + p;
  const int oh = p / OW, ow = p - oh * OW;
  const int ih0 = oh * S - pad, iw0 = ow * S - pad;
#pragma unroll
  for (int kh = 0; kh < KH; ++kh) {
    const int ih = ih0 + kh;
    const bool row_inside = static_cast<unsigned>(ih) < static_cast<unsigned>(H);
#pragma unroll
    for (int kw = 0; kw < KW; ++kw) {
      const int iw = iw0 + kw;
      const bool inside = row_inside && static_cast<unsigned>(iw) < static_cast<unsigned>(W);
      out[static_cast<int64_t>(kh * KW + kw) * ld] = inside ? plane[ih * W + iw] : 0.0f;
    }
  }
}

// dinp for images [n0, n0 + nb) (written), thread (i, c, q) = input pixel q of image i, channel
// c: the sum over (kh, kw) of the column entries that were read from this pixel, i.e. those
// with oh S - pad + kh = ih and ow S - pad + kw = iw, in a fixed order (kh, then kw), so the
// backward has no atomics and is deterministic.
template <int KH_, int KW_, int S_>
__global__ void col2im_kernel(float* dinp, const float* dcols, Conv d, int64_t n0, int64_t nb) {
  const int KH = KH_ ? KH_ : static_cast<int>(d.KH), KW = KW_ ? KW_ : static_cast<int>(d.KW);
  const int S = S_ ? S_ : static_cast<int>(d.s);
  const int W = static_cast<int>(d.W), OH = static_cast<int>(d.OH), OW = static_cast<int>(d.OW);
  const int pad = static_cast<int>(d.pad), HW = static_cast<int>(d.H * d.W);
  const int i = blockIdx.z, c = blockIdx.y;
  const int q = blockIdx.x * blockDim.x + threadIdx.x;
  if (q >= HW) return;
  const int64_t ld = nb * d.P;
  const float* src = dcols + static_cast<int64_t>(c) * KH * KW * ld + static_cast<int64_t>(i) * d.P;
  const int ih = q / W, iw = q - ih * W;
  float acc = 0.0f;
#pragma unroll
  for (int kh = 0; kh < KH; ++kh) {
    const int th = ih + pad - kh;  // = oh S
    if (th < 0 || th % S != 0 || th / S >= OH) continue;
    const int oh = th / S;
#pragma unroll
    for (int kw = 0; kw < KW; ++kw) {
      const int tw = iw + pad - kw;  // = ow S
      if (tw < 0 || tw % S != 0 || tw / S >= OW) continue;
      acc += src[static_cast<int64_t>(kh * KW + kw) * ld + oh * OW + tw / S];
    }
  }
  dinp[((n0 + i) * d.C + c) * d.H * d.W + q] = acc;
}

// One launch of im2col or col2im with the instance for the shape (see PlaneGrid).
template <template <int, int, int> class Launch, typename... Args>
void launch_for_shape(const Conv& d, Args... args) {
  if (d.KH == 3 && d.KW == 3 && d.s == 1) return Launch<3, 3, 1>::run(d, args...);
  if (d.KH == 3 && d.KW == 3 && d.s == 2) return Launch<3, 3, 2>::run(d, args...);
  if (d.KH == 1 && d.KW == 1 && d.s == 1) return Launch<1, 1, 1>::run(d, args...);
  if (d.KH == 1 && d.KW == 1 && d.s == 2) return Launch<1, 1, 2>::run(d, args...);
  return Launch<0, 0, 0>::run(d, args...);
}
template <int KH, int KW, int S>
struct Im2col {
  static void run(const Conv& d, float* cols, const float* inp, int64_t n0, int64_t nb) {
    const PlaneGrid g = plane_grid(d.P, d.C, nb);
    im2col_kernel<KH, KW, S><<<g.grid, g.block, 0, stream()>>>(cols, inp, d, n0, nb);
    CUDA_CHECK_LAUNCH();
  }
};
template <int KH, int KW, int S>
struct Col2im {
  static void run(const Conv& d, float* dinp, const float* dcols, int64_t n0, int64_t nb) {
    const PlaneGrid g = plane_grid(d.H * d.W, d.C, nb);
    col2im_kernel<KH, KW, S><<<g.grid, g.block, 0, stream()>>>(dinp, dcols, d, n0, nb);
    CUDA_CHECK_LAUNCH();
  }
};

// out[n, o, p] += bias[o] in place (NCHW), plane (n, o) per (blockIdx.z, blockIdx.y).
__global__ void add_bias_kernel(float* out, const float* bias, int64_t P) {
  const int64_t plane = static_cast<int64_t>(blockIdx.z) * gridDim.y + blockIdx.y;
  const float b = bias[blockIdx.y];
  for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < P;
       p += static_cast<int64_t>(blockDim.x) * gridDim.x)
    out[plane * P + p] += b;
}

// dY (OC, nb P) from dout (NCHW, images n0..).
__global__ void gather_kernel(float* dY, const float* dout, Conv d, int64_t n0, int64_t nb) {
  DL_GRID_STRIDE_LOOP(idx, nb * d.OC * d.P) {
    const int64_t p = idx % d.P, o = (idx / d.P) % d.OC, i = idx / (d.P * d.OC);
    dY[o * nb * d.P + i * d.P + p] = dout[n0 * d.OC * d.P + idx];
  }
}

}  // namespace

// The forward writes NCHW directly: a GEMM over the whole chunk would give (OC, nb P), which
// NCHW (nb, OC, P) is not, and reordering it costs a read and a write of the whole output. Per
// image the GEMM is (OC, K) x (K, P) with P as small as 16 (4x4 planes); batching all nb images
// in one strided-batched call keeps the GPU busy. (BM_cuda_conv_fwd measures it beside cuDNN.)
void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  const Conv d = make_conv(N, C, H, W, OC, KH, KW, stride, pad);
  if (N == 0 || d.P == 0 || OC == 0) return;
  const int64_t nb_max = images_per_chunk(d);
  ScratchBuffer cols(static_cast<size_t>(d.K * nb_max * d.P) * sizeof(float));
  for (int64_t n0 = 0; n0 < N; n0 += nb_max) {
    const int64_t nb = std::min(nb_max, N - n0);
    launch_for_shape<Im2col>(d, cols.as<float>(), inp, n0, nb);
    // Per image i of the chunk, out_i (OC, P) = W (OC, K) cols_i (K, P), where cols_i is columns
    // [i P, (i + 1) P) of cols (row stride nb P).
    gemm_strided_batched(false, false, OC, d.P, d.K, 1.0f, weight, d.K, 0, cols.as<float>(), nb * d.P, d.P, 0.0f,
                         out + n0 * OC * d.P, d.P, OC * d.P, nb);
    if (bias) {
      const PlaneGrid g = plane_grid(d.P, OC, nb);
      add_bias_kernel<<<g.grid, g.block, 0, stream()>>>(out + n0 * OC * d.P, bias, d.P);
      CUDA_CHECK_LAUNCH();
    }
  }
}

void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad) {
  const Conv d = make_conv(N, C, H, W, OC, KH, KW, stride, pad);
  if (N == 0 || d.P == 0) return;
  if (dbias) add_channel_sums(dbias, dout, N, OC, d.P);  // dbias[o] += sum over n, p of dout[n, o, p]
  if (!dinp && !dweight) return;
  const int64_t nb_max = images_per_chunk(d);
  ScratchBuffer cols(static_cast<size_t>(d.K * nb_max * d.P) * sizeof(float));  // cols, then dcols
  ScratchBuffer dY(static_cast<size_t>(OC * nb_max * d.P) * sizeof(float));
  for (int64_t n0 = 0; n0 < N; n0 += nb_max) {
    const int64_t nb = std::min(nb_max, N - n0);
    gather_kernel<<<grid_for(nb * OC * d.P), kBlock, 0, stream()>>>(dY.as<float>(), dout, d, n0, nb);
    CUDA_CHECK_LAUNCH();
    if (dweight) {
      launch_for_shape<Im2col>(d, cols.as<float>(), inp, n0, nb);
      gemm(false, true, OC, d.K, nb * d.P, 1.0f, dY.as<float>(), cols.as<float>(), 1.0f, dweight);  // +=
    }
    if (dinp) {
      gemm(true, false, d.K, nb * d.P, OC, 1.0f, weight, dY.as<float>(), 0.0f, cols.as<float>());
      launch_for_shape<Col2im>(d, dinp, static_cast<const float*>(cols.as<float>()), n0, nb);
    }
  }
}

}  // namespace dl::cuda
