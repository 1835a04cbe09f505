// tsne_exact.cpp - the exact t-SNE objective and gradient, O(N^2) per call (docs/tsne.md):
//   w_ij = 1 / (1 + |yi - yj|^2),  Z = sum_{k != l} w_kl,  q_ij = w_ij / Z
//   C    = sum_{i != j} p_ij log(p_ij / q_ij)
//   dC/dyi = 4 sum_j (p_ij - q_ij) w_ij (yi - yj) = 4 (sum_j p_ij w_ij (yi - yj) - sum_j w_ij^2 (yi - yj) / Z)
// Each row i is computed independently (parallel over i), and the row partials of Z and C are
// added in row order afterwards, so the result does not depend on the thread count.
#include <algorithm>
#include <cfloat>
#include <cmath>

#include "experiments/tsne.h"
#include "tensor/error.h"

namespace dl::tsne::detail {

double kl_gradient_exact(const std::vector<double>& P, int64_t N, const double* Y, double exaggeration,
                         double* grad, bool want_kl) {
  DL_CHECK(int64_t(P.size()) == N * N, "t-SNE exact gradient: P has ", P.size(), " entries, expected N^2 = ",
           N * N);
  // Coordinates split into two contiguous arrays so the inner loop vectorizes.
  std::vector<double> yx(N), yy(N), zrow(N), attr(2 * N), rep(2 * N), klrow(N, 0.0);
  for (int64_t i = 0; i < N; i++) yx[i] = Y[2 * i], yy[i] = Y[2 * i + 1];

#pragma omp parallel for schedule(static) if (N >= 512)  // below, a barrier costs more than the work
  for (int64_t i = 0; i < N; i++) {
    const double xi = yx[i], yi = yy[i];
    const double* p = &P[i * N];
    double z = 0, ax = 0, ay = 0, rx = 0, ry = 0;
#pragma omp simd reduction(+ : z, ax, ay, rx, ry)
    for (int64_t j = 0; j < N; j++) {
      const double dx = xi - yx[j], dy = yi - yy[j];
      const double w = 1.0 / (1.0 + dx * dx + dy * dy);
      const double pw = p[j] * w, ww = w * w;
      z += w;
      ax += pw * dx, ay += pw * dy;
      rx += ww * dx, ry += ww * dy;  // j == i adds 0 to the forces
    }
    zrow[i] = z - 1.0;  // drop w_ii = 1
    attr[2 * i] = ax, attr[2 * i + 1] = ay;
    rep[2 * i] = rx, rep[2 * i + 1] = ry;
    if (want_kl) {
      // sum_j p log(p / w) here; the + (sum p) log Z part is added below.
      double c = 0;
      for (int64_t j = 0; j < N; j++) {
        if (j == i) continue;
        const double pe = p[j] * exaggeration;
        const double dx = xi - yx[j], dy = yi - yy[j];
        c += pe * (std::log(std::max(pe, DBL_EPSILON)) + std::log1p(dx * dx + dy * dy));
      }
      klrow[i] = c;
    }
  }
  double Z = 0;
  for (int64_t i = 0; i < N; i++) Z += zrow[i];
  for (int64_t i = 0; i < N; i++) {
    grad[2 * i] = 4.0 * (exaggeration * attr[2 * i] - rep[2 * i] / Z);
    grad[2 * i + 1] = 4.0 * (exaggeration * attr[2 * i + 1] - rep[2 * i + 1] / Z);
  }
  if (!want_kl) return 0.0;
  double kl = 0, psum = 0;
  for (int64_t i = 0; i < N; i++) kl += klrow[i];
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < N; j++)
      if (j != i) psum += P[i * N + j];
  return kl + exaggeration * psum * std::log(Z);
}

}  // namespace dl::tsne::detail
