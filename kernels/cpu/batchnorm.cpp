// batchnorm.cpp - see batchnorm.h and docs/batchnorm.md.
//
// Parallel over channels: each channel's statistics are reduced by one thread in a fixed order
// (8 float lanes per row, folded into 8 double lanes rows in order, then the tails and the lanes:
// rows_sums below), so the result is bitwise identical whatever the number of OpenMP threads.
#include "kernels/cpu/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/cpu/relu_mask.h"
#include "kernels/cpu/simd.h"

// Vector values of simd.h inside always-inline helpers draw "ABI changes without AVX" notes on
// builds without AVX; no such vector crosses a real call.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace dl::cpu {
namespace {

// K sums over the rows of one channel: total[q] = sum over n < N, s < S of f_q(n, s), where
// f(n, s, v) writes v[q] = f_q(n, s). Each row is summed in 8 float lanes (lane l takes s = l,
// l + 8, ...; a row has at most a few hundred values per lane); the lanes of every row are then
// added, converted to double, into 8 double lanes per channel, rows in order, and the channel's
// sum is its tail values (S mod 8 per row, in double, rows in order) and then double lanes 0..7.
// A fixed order whatever the thread count. One row is 8 independent float chains (one vector
// register) that would wait on the latency of every add (~4 cycles per 8 values), so
// kRowsInFlight rows are summed side by side; the per-row fold into double lanes is one vector
// conversion and add, not 8 dependent scalar adds (which cost as much as the row at 4x4 planes).
constexpr int kRowsInFlight = 4;

using V8 = simd::Vec<8>;
typedef double V8d __attribute__((vector_size(64)));

// A value of type T (float, or V8: 8 lanes) read at p.
template <class T>
[[gnu::always_inline]] inline T load_as(const float* p) {
  if constexpr (std::is_same_v<T, float>) return *p;
  else return simd::load<8>(p);
}

// The running sums of rows_sums: 8 double lanes and the tail, per sum.
template <int K>
struct LaneSums {
  V8d lanes[K];
  double tail[K];
};

// f(n, s, v) writes the K values at (n, s) into v[0..K) for T = V8 (the 8 values from s on) and
// T = float (one value); it must compute each lane as the float version does.
template <int R, int K, class F>
[[gnu::always_inline]] inline void add_row_sums(int64_t n0, int64_t S, F& f, LaneSums<K>& sums) {
  V8 acc[R][K];
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < K; ++q) acc[r][q] = V8{};
  int64_t s = 0;
  for (; s + 8 <= S; s += 8)
    for (int r = 0; r < R; ++r) {
      V8 v[K];
      f(n0 + r, s, v);
      for (int q = 0; q < K; ++q) acc[r][q] += v[q];
    }
  for (int r = 0; r < R; ++r) {
    for (int64_t t = s; t < S; ++t) {
      float v[K];
      f(n0 + r, t, v);
      for (int q = 0; q < K; ++q) sums.tail[q] += v[q];
    }
    for (int q = 0; q < K; ++q) sums.lanes[q] += __builtin_convertvector(acc[r][q], V8d);
  }
}

template <int K, class F>
inline void rows_sums(int64_t N, int64_t S, F f, double (&total)[K]) {
  LaneSums<K> sums;
  for (int q = 0; q < K; ++q) sums.lanes[q] = V8d{}, sums.tail[q] = 0.0;
  int64_t n = 0;
  for (; n + kRowsInFlight <= N; n += kRowsInFlight) add_row_sums<kRowsInFlight, K>(n, S, f, sums);
  for (; n < N; ++n) add_row_sums<1, K>(n, S, f, sums);
  for (int q = 0; q < K; ++q) {
    total[q] = sums.tail[q];
    for (int l = 0; l < 8; ++l) total[q] += sums.lanes[q][l];
  }
}

// The element type of f's output array v (float or V8).
#define DL_ELEM_T(v) std::remove_reference_t<decltype(v[0])>

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
      const float* xc = inp + c * S;  // row n of the channel: xc + n C S
      double sum[1] = {};
      rows_sums<1>(N, S, [&](int64_t n, int64_t s, auto& v) { v[0] = load_as<DL_ELEM_T(v)>(xc + n * C * S + s); }, sum);
      m = static_cast<float>(sum[0] / M);
      double sq_sum[1] = {};  // two passes: sum (x - mean)^2 does not cancel like E[x^2] - E[x]^2
      rows_sums<1>(N, S, [&](int64_t n, int64_t s, auto& v) {
        const auto d = load_as<DL_ELEM_T(v)>(xc + n * C * S + s) - m;
        v[0] = d * d;
      }, sq_sum);
      const double sq = sq_sum[0];
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
    const float* xc = inp + c * S;  // row n of the channel: xc + n C S (dy likewise)
    const float* dyc = dout + c * S;
    double sums[2] = {};
    rows_sums<2>(N, S, [&](int64_t n, int64_t s, auto& v) {
      using T = DL_ELEM_T(v);
      const int64_t i = n * C * S + s;
      const T x = load_as<T>(xc + i), dy = load_as<T>(dyc + i);
      if constexpr (Relu) v[0] = keep_if_positive((x - m) * scale + shift, dy);
      else v[0] = dy;
      v[1] = v[0] * (x - m);
    }, sums);
    const double sum_dy = sums[0], sum_dy_xc = sums[1];
    const double sum_dy_xhat = sum_dy_xc * r;
    if (dbias) dbias[c] += static_cast<float>(sum_dy);
    if (dweight) dweight[c] += static_cast<float>(sum_dy_xhat);
    if (!dinp) continue;
    const float k = (weight ? weight[c] : 1.0f) * r;
    // training: dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)); eval: the stats are constants.
    const float a = training ? static_cast<float>(sum_dy / M) : 0.0f;
    const float b = training ? static_cast<float>(sum_dy_xhat / M) * r : 0.0f;  // times (x - mean)
    // Rows last read first: where a channel's x and dy outgrow L2 (1 MB each at 16 channels of
    // 32x32, batch 256), the rows the sums above read last are still there.
    for (int64_t n = N - 1; n >= 0; --n) {
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
