// batchnorm.cpp - see batchnorm.h and docs/batchnorm.md.
//
// Parallel over channels: each channel's statistics are reduced by one thread in a fixed order
// (rows n = 0..N-1, and inside a row 8 float lanes then the tail, summed into a double), so the
// result is bitwise identical whatever the number of OpenMP threads.
#include "kernels/cpu/batchnorm.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/relu_mask.h"

namespace dl::cpu {
namespace {

// sum_{s < S} f(s) over one contiguous row: 8 independent float lanes the compiler can vectorize,
// combined in a fixed order into a double.
template <class F>
inline double row_sum(int64_t S, F f) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t s = 0;
  for (; s + 8 <= S; s += 8)
    for (int l = 0; l < 8; ++l) acc[l] += f(s + l);
  double total = 0.0;
  for (; s < S; ++s) total += f(s);
  for (int l = 0; l < 8; ++l) total += acc[l];
  return total;
}

// The (N, C) layout (S = 1): a channel's values are C apart, so walking one channel at a time
// would touch a new cache line per value. Instead a thread takes a block of kBlock channels and
// streams the rows, accumulating every channel of the block at once (vectorized across channels).
// Each channel still sums its values in row order into a double: the same bits as S = 1 above.
constexpr int64_t kBlock = 64;

template <bool Relu>
void forward_2d(float* out, float* mean, float* rstd, float* running_mean, float* running_var, const float* inp,
                const float* weight, const float* bias, int64_t N, int64_t C, bool training, float momentum,
                float eps) {
#pragma omp parallel for schedule(static) if (N * C > 16384)
  for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
    const int64_t nc = C - c0 < kBlock ? C - c0 : kBlock;
    float m[kBlock], scale[kBlock], shift[kBlock];
    if (training) {
      double sum[kBlock] = {}, sq[kBlock] = {};
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < nc; ++j) sum[j] += inp[n * C + c0 + j];
      for (int64_t j = 0; j < nc; ++j) m[j] = static_cast<float>(sum[j] / N);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < nc; ++j) {
          const float d = inp[n * C + c0 + j] - m[j];
          sq[j] += d * d;
        }
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t c = c0 + j;
        rstd[c] = static_cast<float>(1.0 / std::sqrt(sq[j] / N + eps));
        if (running_mean) running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * m[j];
        if (running_var)
          running_var[c] =
              (1.0f - momentum) * running_var[c] + momentum * static_cast<float>(sq[j] / (N > 1 ? N - 1 : 1));
      }
    } else {
      for (int64_t j = 0; j < nc; ++j) {
        m[j] = running_mean[c0 + j];
        rstd[c0 + j] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c0 + j]) + eps));
      }
    }
    for (int64_t j = 0; j < nc; ++j) {
      const int64_t c = c0 + j;
      mean[c] = m[j];
      scale[j] = (weight ? weight[c] : 1.0f) * rstd[c];
      shift[j] = bias ? bias[c] : 0.0f;
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const float y = (inp[n * C + c0 + j] - m[j]) * scale[j] + shift[j];
        out[n * C + c0 + j] = Relu ? (y < 0.0f ? 0.0f : y) : y;
      }
  }
}

// Relu: as backward_nchw<true>, dy is replaced by dy [y > 0] with y recomputed from x by the
// forward's expression (the forward's mask).
template <bool Relu>
void backward_2d(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                 const float* bias, const float* mean, const float* rstd, int64_t N, int64_t C, bool training) {
#pragma omp parallel for schedule(static) if (N * C > 16384)
  for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
    const int64_t nc = C - c0 < kBlock ? C - c0 : kBlock;
    [[maybe_unused]] float scale[kBlock], shift[kBlock];
    if constexpr (Relu)
      for (int64_t j = 0; j < nc; ++j)
        scale[j] = (weight ? weight[c0 + j] : 1.0f) * rstd[c0 + j], shift[j] = bias ? bias[c0 + j] : 0.0f;
    auto grad = [&](int64_t i, int64_t j) {
      if constexpr (Relu) return keep_if_positive((inp[i] - mean[c0 + j]) * scale[j] + shift[j], dout[i]);
      else return dout[i];
    };
    double sum_dy[kBlock] = {}, sum_dy_xc[kBlock] = {};
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const float dy = grad(n * C + c0 + j, j);
        sum_dy[j] += dy;
        sum_dy_xc[j] += dy * (inp[n * C + c0 + j] - mean[c0 + j]);
      }
    float k[kBlock], a[kBlock], b[kBlock];
    for (int64_t j = 0; j < nc; ++j) {
      const int64_t c = c0 + j;
      const double sum_dy_xhat = sum_dy_xc[j] * rstd[c];
      if (dbias) dbias[c] += static_cast<float>(sum_dy[j]);
      if (dweight) dweight[c] += static_cast<float>(sum_dy_xhat);
      k[j] = (weight ? weight[c] : 1.0f) * rstd[c];
      a[j] = training ? static_cast<float>(sum_dy[j] / N) : 0.0f;
      b[j] = training ? static_cast<float>(sum_dy_xhat / N) * rstd[c] : 0.0f;
    }
    if (!dinp) continue;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t i = n * C + c0 + j;
        dinp[i] = k[j] * (grad(i, j) - a[j] - (inp[i] - mean[c0 + j]) * b[j]);
      }
  }
}

template <bool Relu>
void forward_nchw(float* out, float* mean, float* rstd, float* running_mean, float* running_var, const float* inp,
                  const float* weight, const float* bias, int64_t N, int64_t C, int64_t S, bool training,
                  float momentum, float eps) {
  const int64_t M = N * S;
#pragma omp parallel for schedule(static) if (M * C > 16384)
  for (int64_t c = 0; c < C; ++c) {
    float m, r;
    if (training) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; ++n) {
        const float* x = inp + (n * C + c) * S;
        sum += row_sum(S, [x](int64_t s) { return x[s]; });
      }
      m = static_cast<float>(sum / M);
      double sq = 0.0;  // two passes: sum (x - mean)^2 does not cancel like E[x^2] - E[x]^2
      for (int64_t n = 0; n < N; ++n) {
        const float* x = inp + (n * C + c) * S;
        sq += row_sum(S, [x, m](int64_t s) {
          const float d = x[s] - m;
          return d * d;
        });
      }
      const double var = sq / M;  // biased: used to normalize
      r = static_cast<float>(1.0 / std::sqrt(var + eps));
      if (running_mean) running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * m;
      if (running_var) {
        const double unbiased = M > 1 ? sq / (M - 1) : sq;
        running_var[c] = (1.0f - momentum) * running_var[c] + momentum * static_cast<float>(unbiased);
      }
    } else {
      m = running_mean[c];
      r = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
    }
    mean[c] = m;
    rstd[c] = r;
    const float scale = (weight ? weight[c] : 1.0f) * r, shift = bias ? bias[c] : 0.0f;
    for (int64_t n = 0; n < N; ++n) {
      const float* x = inp + (n * C + c) * S;
      float* y = out + (n * C + c) * S;
      if (Relu)
        for (int64_t s = 0; s < S; ++s) y[s] = std::max((x[s] - m) * scale + shift, 0.0f);
      else
        for (int64_t s = 0; s < S; ++s) y[s] = (x[s] - m) * scale + shift;
    }
  }
}


// Relu: the output was max(y, 0), y = (x - mean) scale + shift; its gradient g = dy [y > 0] (y is
// recomputed from x with the forward's expression, so the mask is the forward's) replaces dy.
template <bool Relu>
void backward_nchw(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp, const float* weight,
                   const float* bias, const float* mean, const float* rstd, int64_t N, int64_t C, int64_t S,
                   bool training) {
  const int64_t M = N * S;
#pragma omp parallel for schedule(static) if (M * C > 16384)
  for (int64_t c = 0; c < C; ++c) {
    const float m = mean[c], r = rstd[c];
    [[maybe_unused]] const float scale = (weight ? weight[c] : 1.0f) * r, shift = bias ? bias[c] : 0.0f;
    auto grad = [&](const float* dy, const float* x, int64_t s) {
      if constexpr (Relu) return keep_if_positive((x[s] - m) * scale + shift, dy[s]);
      else return dy[s];
    };
    // sum(dy) and sum(dy * xhat), xhat = (x - mean) rstd: what dbias, dweight and dx all need.
    double sum_dy = 0.0, sum_dy_xc = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      const float* x = inp + (n * C + c) * S;
      const float* dy = dout + (n * C + c) * S;
      sum_dy += row_sum(S, [&](int64_t s) { return grad(dy, x, s); });
      sum_dy_xc += row_sum(S, [&](int64_t s) { return grad(dy, x, s) * (x[s] - m); });
    }
    const double sum_dy_xhat = sum_dy_xc * r;
    if (dbias) dbias[c] += static_cast<float>(sum_dy);
    if (dweight) dweight[c] += static_cast<float>(sum_dy_xhat);
    if (!dinp) continue;
    const float k = (weight ? weight[c] : 1.0f) * r;
    // training: dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)); eval: the stats are constants.
    const float a = training ? static_cast<float>(sum_dy / M) : 0.0f;
    const float b = training ? static_cast<float>(sum_dy_xhat / M) * r : 0.0f;  // times (x - mean)
    for (int64_t n = 0; n < N; ++n) {
      const float* x = inp + (n * C + c) * S;
      const float* dy = dout + (n * C + c) * S;
      float* dx = dinp + (n * C + c) * S;
      for (int64_t s = 0; s < S; ++s) dx[s] = k * (grad(dy, x, s) - a - (x[s] - m) * b);
    }
  }
}


}  // namespace

void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps) {
  if (S == 1)
    return forward_2d<false>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, training, momentum,
                             eps);
  forward_nchw<false>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, S, training, momentum, eps);
}

void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training) {
  if (S == 1) return backward_2d<false>(dinp, dweight, dbias, dout, inp, weight, nullptr, mean, rstd, N, C, training);
  backward_nchw<false>(dinp, dweight, dbias, dout, inp, weight, nullptr, mean, rstd, N, C, S, training);
}

void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps) {
  if (S == 1)
    return forward_2d<true>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, training, momentum,
                            eps);
  forward_nchw<true>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, S, training, momentum, eps);
}

void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training) {
  if (S == 1) return backward_2d<true>(dinp, dweight, dbias, dout, inp, weight, bias, mean, rstd, N, C, training);
  backward_nchw<true>(dinp, dweight, dbias, dout, inp, weight, bias, mean, rstd, N, C, S, training);
}

}  // namespace dl::cpu
