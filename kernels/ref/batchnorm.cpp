// batchnorm.cpp - the reference batch normalization; see batchnorm.h. One channel at a time,
// sums in double, two passes for the variance (sum (x - mean)^2 does not cancel the way
// E[x^2] - E[x]^2 does).
#include "kernels/ref/batchnorm.h"

#include <cmath>
#include <vector>

namespace dl::ref {
namespace {

// x[n, c, s] of an (N, C, S) tensor.
inline int64_t at(int64_t n, int64_t c, int64_t s, int64_t C, int64_t S) { return (n * C + c) * S + s; }

// y = batchnorm(x) of one value, the expression both the forward and the relu mask use.
inline float normalized(float x, int64_t c, const float* mean, const float* rstd, const float* weight,
                        const float* bias) {
  return (x - mean[c]) * rstd[c] * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f);
}

}  // namespace

void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps) {
  const int64_t M = N * S;
  for (int64_t c = 0; c < C; ++c) {
    if (training) {
      double sum = 0.0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) sum += inp[at(n, c, s, C, S)];
      const double m = sum / M;
      double sq = 0.0;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t s = 0; s < S; ++s) sq += (inp[at(n, c, s, C, S)] - m) * (inp[at(n, c, s, C, S)] - m);
      mean[c] = static_cast<float>(m);
      rstd[c] = static_cast<float>(1.0 / std::sqrt(sq / M + eps));
      const double unbiased = M > 1 ? sq / (M - 1) : sq;
      if (running_mean) running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * static_cast<float>(m);
      if (running_var) running_var[c] = (1.0f - momentum) * running_var[c] + momentum * static_cast<float>(unbiased);
    } else {
      mean[c] = running_mean[c];
      rstd[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
    }
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) out[at(n, c, s, C, S)] = normalized(inp[at(n, c, s, C, S)], c, mean, rstd, weight, bias);
  }
}

void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training) {
  const int64_t M = N * S;
  for (int64_t c = 0; c < C; ++c) {
    auto xhat = [&](int64_t i) { return (static_cast<double>(inp[i]) - mean[c]) * rstd[c]; };
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = at(n, c, s, C, S);
        sum_dy += dout[i];
        sum_dy_xhat += dout[i] * xhat(i);
      }
    if (dbias) dbias[c] += static_cast<float>(sum_dy);
    if (dweight) dweight[c] += static_cast<float>(sum_dy_xhat);
    if (!dinp) continue;
    const double k = (weight ? weight[c] : 1.0) * rstd[c];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = at(n, c, s, C, S);
        const double dx = training ? k * (dout[i] - sum_dy / M - xhat(i) * sum_dy_xhat / M) : k * dout[i];
        dinp[i] = static_cast<float>(dx);
      }
  }
}

void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps) {
  batchnorm_forward(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, S, training, momentum, eps);
  for (int64_t i = 0; i < N * C * S; ++i) out[i] = out[i] < 0.0f ? 0.0f : out[i];
}

void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training) {
  std::vector<float> masked(static_cast<size_t>(N * C * S));  // dy [y > 0]
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t s = 0; s < S; ++s) {
        const int64_t i = at(n, c, s, C, S);
        masked[i] = normalized(inp[i], c, mean, rstd, weight, bias) > 0.0f ? dout[i] : 0.0f;
      }
  batchnorm_backward(dinp, dweight, dbias, masked.data(), inp, weight, mean, rstd, N, C, S, training);
}

}  // namespace dl::ref
