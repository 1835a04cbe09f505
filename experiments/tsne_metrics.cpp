// tsne_metrics.cpp - trustworthiness (Venna & Kaski 2001), as sklearn.manifold.trustworthiness:
//   T(k) = 1 - 2 / (N k (2N - 3k - 1)) * sum_i sum_{j in U_k(i)} (r(i, j) - k)
// where U_k(i) are the k nearest neighbours of i in the embedding that are not among its k
// nearest in the input, and r(i, j) is the rank (1 = nearest) of j among i's input neighbours.
#include <algorithm>
#include <numeric>

#include "experiments/tsne.h"
#include "tensor/error.h"

namespace dl::tsne {

double trustworthiness(const float* X, int64_t N, int64_t D, const float* Y, int64_t d_emb, int k) {
  DL_CHECK(k >= 1 && k < N / 2.0, "trustworthiness: n_neighbors ", k, " must be in [1, N/2) for N = ", N);
  const std::vector<float> dx = detail::squared_distances(X, N, D);
  const std::vector<float> dy = detail::squared_distances(Y, N, d_emb);
  std::vector<double> penalty(N, 0.0);
#pragma omp parallel
  {
    std::vector<int64_t> order(N), rank(N);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < N; i++) {
      // input-space ranks of every j (self excluded: it sorts last), ties by index
      std::iota(order.begin(), order.end(), 0);
      auto by = [&](const std::vector<float>& d) {
        return [&, i](int64_t a, int64_t b) {
          const float da = a == i ? 1e30f : d[i * N + a], db = b == i ? 1e30f : d[i * N + b];
          return da != db ? da < db : a < b;
        };
      };
      std::sort(order.begin(), order.end(), by(dx));
      for (int64_t r = 0; r < N; r++) rank[order[r]] = r + 1;
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + k, order.end(), by(dy));
      double s = 0;
      for (int t = 0; t < k; t++) s += std::max<int64_t>(0, rank[order[t]] - k);
      penalty[i] = s;
    }
  }
  double t = 0;
  for (double p : penalty) t += p;
  return 1.0 - t * (2.0 / (double(N) * k * (2.0 * N - 3.0 * k - 1.0)));
}

}  // namespace dl::tsne
