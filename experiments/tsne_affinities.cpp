// tsne_affinities.cpp - the input-space similarities P of t-SNE: squared distances, the
// per-point binary search for the Gaussian precision beta_i that gives perplexity 30, and the
// symmetrized joint P, dense (exact path) or sparse over the k nearest neighbours (Barnes-Hut).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <utility>

#include "experiments/tsne.h"
#include "tensor/error.h"

namespace dl::tsne::detail {
namespace {

// Rows [r0, r0 + R) of the squared-distance matrix into out (R, N): sum_d (x_id - x_jd)^2 in
// double, each entry one fixed-order loop. (Not the gemm form |xi|^2 + |xj|^2 - 2 xi.xj: OpenBLAS
// sums in a different order with one thread than with several, which broke determinism across
// thread counts, and the direct form has no cancellation for near-duplicates.)
void distance_rows(const float* X, int64_t N, int64_t D, int64_t r0, int64_t R, float* out) {
#pragma omp parallel for schedule(dynamic, 8)
  for (int64_t r = 0; r < R; r++) {
    const float* xi = X + (r0 + r) * D;
    for (int64_t j = 0; j < N; j++) {
      const float* xj = X + j * D;
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t d = 0; d < D; d++) {
        const double t = double(xi[d]) - double(xj[d]);
        s += t * t;
      }
      out[r * N + j] = float(s);
    }
  }
}

}  // namespace

std::vector<float> squared_distances(const float* X, int64_t N, int64_t D) {
  std::vector<float> dist(size_t(N) * N);
  distance_rows(X, N, D, 0, N, dist.data());
  return dist;
}

double conditional_row(const float* d, int64_t n, double perplexity, double* p) {
  // sklearn _utils._binary_search_perplexity: 100 bisection steps on beta (doubling/halving
  // until bracketed), stop when |H - log(perplexity)| <= 1e-5, with H = log(sum_j e^{-beta d_j})
  // + beta sum_j d_j p_j. We shift d by its minimum before exponentiating: p and H are
  // unchanged (the factor e^{beta d_min} cancels), but the sum can no longer underflow to 0 for
  // far-apart points (sklearn then substitutes 1e-8 for the sum).
  const double desired = std::log(perplexity);
  double dmin = std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < n; j++) dmin = std::min(dmin, double(d[j]));
  double beta = 1.0, beta_min = -std::numeric_limits<double>::infinity();
  double beta_max = std::numeric_limits<double>::infinity();
  for (int step = 0; step < 100; step++) {
    double sum = 0;
    for (int64_t j = 0; j < n; j++) sum += (p[j] = std::exp(-(double(d[j]) - dmin) * beta));
    if (sum == 0.0) sum = 1e-8;
    double sum_dp = 0;
    for (int64_t j = 0; j < n; j++) {
      p[j] /= sum;
      sum_dp += (double(d[j]) - dmin) * p[j];
    }
    const double diff = std::log(sum) + beta * sum_dp - desired;
    if (std::fabs(diff) <= 1e-5) break;
    if (diff > 0) {  // entropy too high: sharpen
      beta_min = beta;
      beta = beta_max == std::numeric_limits<double>::infinity() ? beta * 2 : (beta + beta_max) / 2;
    } else {
      beta_max = beta;
      beta = beta_min == -std::numeric_limits<double>::infinity() ? beta / 2 : (beta + beta_min) / 2;
    }
  }
  return beta;
}

std::vector<double> joint_probabilities_dense(const float* X, int64_t N, int64_t D, double perplexity) {
  const std::vector<float> dist = squared_distances(X, N, D);
  std::vector<double> cond(size_t(N) * N, 0.0);
#pragma omp parallel
  {
    std::vector<float> d(N);
    std::vector<double> p(N);
#pragma omp for schedule(dynamic, 16)
    for (int64_t i = 0; i < N; i++) {
      // the row without its diagonal entry
      int64_t m = 0;
      for (int64_t j = 0; j < N; j++)
        if (j != i) d[m++] = dist[i * N + j];
      conditional_row(d.data(), N - 1, perplexity, p.data());
      m = 0;
      for (int64_t j = 0; j < N; j++)
        if (j != i) cond[i * N + j] = p[m++];
    }
  }
  // P = (C + C^T) / sum(C + C^T); sum is taken in a fixed order (row by row) for determinism.
  std::vector<double> P(size_t(N) * N);
  double total = 0;
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < N; j++) total += (P[i * N + j] = cond[i * N + j] + cond[j * N + i]);
  total = std::max(total, DBL_EPSILON);
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < N; j++) P[i * N + j] = i == j ? 0.0 : std::max(P[i * N + j] / total, DBL_EPSILON);
  return P;
}

SparseP joint_probabilities_knn(const float* X, int64_t N, int64_t D, double perplexity) {
  const int64_t k = std::min<int64_t>(N - 1, int64_t(3.0 * perplexity + 1.0));
  DL_CHECK(k >= 1, "t-SNE: need at least 2 points, got N = ", N);
  std::vector<int32_t> nbr(size_t(N) * k);
  std::vector<double> cond(size_t(N) * k);
  // Distances in row blocks so that memory stays O(block N), not O(N^2).
  const int64_t block = std::max<int64_t>(1, std::min<int64_t>(N, (int64_t(1) << 24) / N));
  std::vector<float> rows(size_t(block) * N);
  for (int64_t r0 = 0; r0 < N; r0 += block) {
    const int64_t R = std::min(block, N - r0);
    distance_rows(X, N, D, r0, R, rows.data());
#pragma omp parallel
    {
      std::vector<std::pair<float, int32_t>> cand(N - 1);
      std::vector<float> d(k);
#pragma omp for schedule(dynamic, 16)
      for (int64_t r = 0; r < R; r++) {
        const int64_t i = r0 + r;
        int64_t m = 0;
        for (int64_t j = 0; j < N; j++)
          if (j != i) cand[m++] = {rows[r * N + j], int32_t(j)};
        // ties broken by index, so the neighbour set is deterministic
        std::partial_sort(cand.begin(), cand.begin() + k, cand.end());
        for (int64_t t = 0; t < k; t++) nbr[i * k + t] = cand[t].second, d[t] = cand[t].first;
        conditional_row(d.data(), k, perplexity, &cond[i * k]);
      }
    }
  }
  // Symmetrize: triplets (i, j, c_ij) and (j, i, c_ij), sorted, duplicates summed.
  std::vector<std::pair<int64_t, double>> trip;  // key i * N + j
  trip.reserve(size_t(2 * N * k));
  for (int64_t i = 0; i < N; i++)
    for (int64_t t = 0; t < k; t++) {
      const int64_t j = nbr[i * k + t];
      trip.push_back({i * N + j, cond[i * k + t]});
      trip.push_back({j * N + i, cond[i * k + t]});
    }
  std::sort(trip.begin(), trip.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second < b.second; });
  SparseP P;
  P.n = N;
  P.indptr.assign(N + 1, 0);
  double total = 0;
  for (size_t t = 0; t < trip.size();) {
    const int64_t key = trip[t].first;
    double v = 0;
    for (; t < trip.size() && trip[t].first == key; t++) v += trip[t].second;
    P.indices.push_back(int32_t(key % N));
    P.values.push_back(v);
    P.indptr[key / N + 1]++;
    total += v;
  }
  for (int64_t i = 0; i < N; i++) P.indptr[i + 1] += P.indptr[i];
  total = std::max(total, DBL_EPSILON);
  for (double& v : P.values) v /= total;
  return P;
}

SparseP dense_to_sparse(const std::vector<double>& P, int64_t N) {
  SparseP S;
  S.n = N;
  S.indptr.assign(N + 1, 0);
  for (int64_t i = 0; i < N; i++) {
    for (int64_t j = 0; j < N; j++)
      if (j != i) S.indices.push_back(int32_t(j)), S.values.push_back(P[i * N + j]);
    S.indptr[i + 1] = int64_t(S.indices.size());
  }
  return S;
}

}  // namespace dl::tsne::detail
