// nt_xent.cpp - see nt_xent.h. Each forward first writes the similarities S into dS, then turns
// each row of S into its row of d loss / d S. Dot products and sums are accumulated in double.
#include "kernels/ref/nt_xent.h"

#include <algorithm>
#include <cmath>

namespace dl::ref {
namespace {

// sum_d x[d] y[d] over D elements.
double dot(const float* x, const float* y, int64_t D) {
  double sum = 0.0;
  for (int64_t d = 0; d < D; ++d) sum += static_cast<double>(x[d]) * y[d];
  return sum;
}

// One cross-entropy row of a loss that averages `rows` rows. s (R) holds similarities on entry
// and d loss / d s on exit; column `skip` (-1: none) is left out of the softmax.
//   m = max_{j != skip} s_j,  lse = m + log sum_{j != skip} exp(s_j - m)
//   row loss = lse - s_target;   ds_j = (exp(s_j - lse) - [j == target]) / rows,  ds_skip = 0.
// Returns the row loss.
double softmax_cross_entropy_row(float* s, int64_t R, int64_t skip, int64_t target, int64_t rows) {
  float m = -INFINITY;
  for (int64_t j = 0; j < R; ++j)
    if (j != skip) m = std::max(m, s[j]);
  double sum_exp = 0.0;
  for (int64_t j = 0; j < R; ++j)
    if (j != skip) sum_exp += std::exp(static_cast<double>(s[j] - m));
  const float lse = m + static_cast<float>(std::log(sum_exp));
  const double row_loss = static_cast<double>(lse) - s[target];
  for (int64_t j = 0; j < R; ++j) {
    const float p = j == skip ? 0.0f : std::exp(s[j] - lse);
    s[j] = (p - (j == target ? 1.0f : 0.0f)) / static_cast<float>(rows);
  }
  return row_loss;
}

}  // namespace

// S[i, j] = e1_i . e2_j / tau;  row i is a cross-entropy with target i;  loss = mean of the N rows.
void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau) {
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < N; ++j) dS[i * N + j] = static_cast<float>(dot(e1 + i * D, e2 + j * D, D) / tau);
  double total = 0.0;
  for (int64_t i = 0; i < N; ++i) total += softmax_cross_entropy_row(dS + i * N, N, -1, i, N);
  loss[0] = static_cast<float>(total / static_cast<double>(N));
}

// S = e1 e2^T / tau, so  de1[i, d] = dloss/tau sum_j dS[i, j] e2[j, d],
//                        de2[j, d] = dloss/tau sum_i dS[i, j] e1[i, d].
void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau) {
  const double scale = static_cast<double>(dloss[0]) / tau;
  if (de1)
    for (int64_t i = 0; i < N; ++i)
      for (int64_t d = 0; d < D; ++d) {
        double sum = 0.0;
        for (int64_t j = 0; j < N; ++j) sum += static_cast<double>(dS[i * N + j]) * e2[j * D + d];
        de1[i * D + d] = static_cast<float>(scale * sum);
      }
  if (de2)
    for (int64_t j = 0; j < N; ++j)
      for (int64_t d = 0; d < D; ++d) {
        double sum = 0.0;
        for (int64_t i = 0; i < N; ++i) sum += static_cast<double>(dS[i * N + j]) * e1[i * D + d];
        de2[j * D + d] = static_cast<float>(scale * sum);
      }
}

namespace {

// Row r of z = [z1; z2] (2N, D).
const float* z_row(const float* z1, const float* z2, int64_t N, int64_t D, int64_t r) {
  return r < N ? z1 + r * D : z2 + (r - N) * D;
}

}  // namespace

// S[i, j] = z_i . z_j / tau over R = 2N rows; row i is a cross-entropy over j != i with target
// (i + N) mod R;  loss = mean of the R rows.
void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  for (int64_t i = 0; i < R; ++i)
    for (int64_t j = 0; j < R; ++j)
      dS[i * R + j] = static_cast<float>(dot(z_row(z1, z2, N, D, i), z_row(z1, z2, N, D, j), D) / tau);
  double total = 0.0;
  for (int64_t i = 0; i < R; ++i) total += softmax_cross_entropy_row(dS + i * R, R, i, (i + N) % R, R);
  loss[0] = static_cast<float>(total / static_cast<double>(R));
}

// S = z z^T / tau uses z on both sides:  dz[r, d] = dloss/tau sum_j (dS[r, j] + dS[j, r]) z[j, d];
// rows r < N go to dz1, the others to dz2.
void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau) {
  const int64_t R = 2 * N;
  const double scale = static_cast<double>(dloss[0]) / tau;
  for (int64_t r = 0; r < R; ++r) {
    float* dz = r < N ? (dz1 ? dz1 + r * D : nullptr) : (dz2 ? dz2 + (r - N) * D : nullptr);
    if (!dz) continue;
    for (int64_t d = 0; d < D; ++d) {
      double sum = 0.0;
      for (int64_t j = 0; j < R; ++j)
        sum += (static_cast<double>(dS[r * R + j]) + dS[j * R + r]) * z_row(z1, z2, N, D, j)[d];
      dz[d] = static_cast<float>(scale * sum);
    }
  }
}

}  // namespace dl::ref
