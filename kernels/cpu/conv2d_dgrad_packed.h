// conv2d_dgrad_packed.h - the INPUT gradient of a strided convolution as stride x stride stride-1
// ("sub-pixel") convolutions on our packed forward (kernels/cpu/conv2d_packed.h), instead of the
// GEMM W^T dY into an im2col-sized buffer and the col2im scatter-add.
//
//   dinp[c, ih, iw] = sum over o, kh, kw with s oh - pad + kh = ih, s ow - pad + kw = iw of
//                     W[o, c, kh, kw] dout[o, oh, ow].
//
// Split the input pixels by phase, ih = s i + a. Only the taps kh = s t + k_a with
// k_a = (a + pad) mod s reach phase a (t = 0 .. T_a - 1), from dout row oh = i + e_a - t with
// e_a = (a + pad - k_a) / s. So phase plane (a, b) of dinp, ceil((H - a) / s) x ceil((W - b) / s)
// pixels, is a stride-1 convolution of dout with the flipped sub-kernel
//   V_ab[c, o, t', u'] = W[o, c, s (T_a - 1 - t') + k_a, s (T_b - 1 - u') + k_b]
// and top/left padding T_a - 1 - e_a, T_b - 1 - e_b (derivation: docs/conv2d.md). It is computed
// into a scratch and scattered into every s-th pixel of dinp. A phase no tap reaches (three of the
// four of a 1x1 stride-2 shortcut) is zero. For stride 1 this is the flipped-kernel convolution of
// conv2d.cpp. Every dinp element is one sum in a fixed order: the same bits for any thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// Whether conv2d_input_grad_packed takes the shape: AVX2+FMA and every phase plane >= 16 pixels.
bool conv2d_input_grad_packed_fits(int64_t N, int64_t C, int64_t H, int64_t W, int64_t stride, int64_t pad);

// True (and dinp (N, C, H, W) written, not accumulated) if the packed forward takes every phase
// plane (AVX2+FMA, each plane >= 16 pixels); false: nothing done. dout (N, OC, OH, OW),
// weight (OC, C, KH, KW).
bool conv2d_input_grad_packed(float* dinp, const float* dout, const float* weight, int64_t N, int64_t C, int64_t H,
                              int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cpu
