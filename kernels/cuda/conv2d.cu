// conv2d.cu - convolution by im2col + one cuBLAS GEMM per chunk of images (CUDA twin of
// kernels/cpu/conv2d.cpp; same notation, see docs/conv2d.md).
//
// K = C KH KW (reduction length), P = OH OW (output pixels per image). A chunk holds nb images
// starting at n0; its column matrix is cols (K, nb P):
//   cols[(c KH + kh) KW + kw][i P + oh OW + ow] = inp[n0 + i][c][oh s - pad + kh][ow s - pad + kw]
// (zero outside the image). Then, per chunk,
//   forward   Y (OC, nb P)     = W (OC, K) cols (K, nb P)     -> scattered into NCHW, + bias
//   dweight   dW (OC, K)      += dY (OC, nb P) cols^T          (dY gathered from NCHW)
//   dinp      dcols (K, nb P)  = W^T (K, OC) dY (OC, nb P)     -> col2im into dinp
// nb is as large as a 256 MB column buffer allows (the whole batch for the small layers), so the
// GEMMs are big. col2im is a gather: one thread per input pixel adds its KH KW contributions in a
// fixed order, so the backward has no atomics and is deterministic; dweight is accumulated over
// the chunks in order on the stream.
//
// Naive: a direct kernel, one thread per output value looping over C KH KW taps and reading
// the input from global memory with little reuse: latency/memory bound, far below the FP32 peak.
// Here: im2col writes the column matrix once and one large cuBLAS SGEMM per chunk does all the
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
  return std::clamp<int64_t>(kMaxColsFloats / std::max<int64_t>(1, d.K * d.P), 1, d.N);
}

// cols (K, nb P), one thread per element.
__global__ void im2col_kernel(float* cols, const float* inp, Conv d, int64_t n0, int64_t nb) {
  const int64_t ld = nb * d.P;
  DL_GRID_STRIDE_LOOP(idx, d.K * ld) {
    const int64_t row = idx / ld, col = idx - row * ld;
    const int64_t i = col / d.P, p = col - i * d.P;
    const int64_t oh = p / d.OW, ow = p - oh * d.OW;
    const int64_t c = row / (d.KH * d.KW), kh = (row / d.KW) % d.KH, kw = row % d.KW;
    const int64_t ih = oh * d.s - d.pad + kh, iw = ow * d.s - d.pad + kw;
    const bool inside = ih >= 0 && ih < d.H && iw >= 0 && iw < d.W;
    cols[idx] = inside ? inp[(((n0 + i) * d.C + c) * d.H + ih) * d.W + iw] : 0.0f;
  }
}

// dinp for images [n0, n0 + nb) (written), one thread per input pixel: the sum over (kh, kw) of
// the column entries that were read from this pixel, i.e. those with oh s - pad + kh = ih.
__global__ void col2im_kernel(float* dinp, const float* dcols, Conv d, int64_t n0, int64_t nb) {
  const int64_t ld = nb * d.P, HW = d.H * d.W;
  DL_GRID_STRIDE_LOOP(idx, nb * d.C * HW) {
    const int64_t iw = idx % d.W, ih = (idx / d.W) % d.H, c = (idx / HW) % d.C, i = idx / (d.C * HW);
    float acc = 0.0f;
    for (int64_t kh = 0; kh < d.KH; ++kh) {
      const int64_t th = ih + d.pad - kh;  // = oh s
      if (th < 0 || th % d.s != 0 || th / d.s >= d.OH) continue;
      const int64_t oh = th / d.s;
      for (int64_t kw = 0; kw < d.KW; ++kw) {
        const int64_t tw = iw + d.pad - kw;  // = ow s
        if (tw < 0 || tw % d.s != 0 || tw / d.s >= d.OW) continue;
        const int64_t ow = tw / d.s, row = (c * d.KH + kh) * d.KW + kw;
        acc += dcols[row * ld + i * d.P + oh * d.OW + ow];
      }
    }
    dinp[n0 * d.C * HW + idx] = acc;
  }
}

// out (NCHW, images n0..) = Y (OC, nb P) + bias; one thread per output element.
__global__ void scatter_kernel(float* out, const float* Y, const float* bias, Conv d, int64_t n0, int64_t nb) {
  DL_GRID_STRIDE_LOOP(idx, nb * d.OC * d.P) {
    const int64_t p = idx % d.P, o = (idx / d.P) % d.OC, i = idx / (d.P * d.OC);
    out[n0 * d.OC * d.P + idx] = Y[o * nb * d.P + i * d.P + p] + (bias ? bias[o] : 0.0f);
  }
}

// dY (OC, nb P) from dout (NCHW, images n0..).
__global__ void gather_kernel(float* dY, const float* dout, Conv d, int64_t n0, int64_t nb) {
  DL_GRID_STRIDE_LOOP(idx, nb * d.OC * d.P) {
    const int64_t p = idx % d.P, o = (idx / d.P) % d.OC, i = idx / (d.P * d.OC);
    dY[o * nb * d.P + i * d.P + p] = dout[n0 * d.OC * d.P + idx];
  }
}

}  // namespace

void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad) {
  const Conv d = make_conv(N, C, H, W, OC, KH, KW, stride, pad);
  if (N == 0 || d.P == 0 || OC == 0) return;
  const int64_t nb_max = images_per_chunk(d);
  ScratchBuffer cols(static_cast<size_t>(d.K * nb_max * d.P) * sizeof(float));
  ScratchBuffer Y(static_cast<size_t>(OC * nb_max * d.P) * sizeof(float));
  for (int64_t n0 = 0; n0 < N; n0 += nb_max) {
    const int64_t nb = std::min(nb_max, N - n0);
    im2col_kernel<<<grid_for(d.K * nb * d.P), kBlock, 0, stream()>>>(cols.as<float>(), inp, d, n0, nb);
    CUDA_CHECK_LAUNCH();
    gemm(false, false, OC, nb * d.P, d.K, 1.0f, weight, cols.as<float>(), 0.0f, Y.as<float>());
    scatter_kernel<<<grid_for(nb * OC * d.P), kBlock, 0, stream()>>>(out, Y.as<float>(), bias, d, n0, nb);
    CUDA_CHECK_LAUNCH();
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
      im2col_kernel<<<grid_for(d.K * nb * d.P), kBlock, 0, stream()>>>(cols.as<float>(), inp, d, n0, nb);
      CUDA_CHECK_LAUNCH();
      gemm(false, true, OC, d.K, nb * d.P, 1.0f, dY.as<float>(), cols.as<float>(), 1.0f, dweight);  // +=
    }
    if (dinp) {
      gemm(true, false, d.K, nb * d.P, OC, 1.0f, weight, dY.as<float>(), 0.0f, cols.as<float>());
      col2im_kernel<<<grid_for(nb * C * H * W), kBlock, 0, stream()>>>(dinp, cols.as<float>(), d, n0, nb);
      CUDA_CHECK_LAUNCH();
    }
  }
}

}  // namespace dl::cuda
