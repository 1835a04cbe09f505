// tsne_pca.cpp - t-SNE's PCA initialization (sklearn init='pca'): the scores on the first two
// principal components, signs fixed as sklearn's svd_flip(u_based_decision=True) does (the
// largest-|value| score of each component is positive), then scaled so PC1 has std 1e-4.
//
// The top eigenvectors of the centred scatter matrix (D x D covariance when D <= N, else the
// N x N Gram matrix) come from block subspace iteration with Rayleigh-Ritz (k = min(m, 10)
// vectors, Jacobi on the k x k projection); it converges for the top 2 at rate lambda_{k+1}/lambda_2.
// All sums run in a fixed order in double precision, so the result is deterministic.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "experiments/tsne.h"
#include "tensor/error.h"
#include "tensor/generator.h"

namespace dl::tsne::detail {
namespace {

// Cyclic Jacobi eigen-decomposition of a symmetric k x k matrix A (destroyed). Eigenvalues in
// ev, eigenvectors in the columns of V, sorted by decreasing eigenvalue.
void jacobi_eigen(std::vector<double>& A, int k, std::vector<double>& ev, std::vector<double>& V) {
  V.assign(size_t(k) * k, 0.0);
  for (int i = 0; i < k; i++) V[i * k + i] = 1.0;
  for (int sweep = 0; sweep < 100; sweep++) {
    double off = 0, diag = 0;
    for (int i = 0; i < k; i++)
      for (int j = 0; j < k; j++) (i == j ? diag : off) += A[i * k + j] * A[i * k + j];
    if (off <= 1e-30 * std::max(diag, 1e-300)) break;
    for (int p = 0; p < k; p++)
      for (int q = p + 1; q < k; q++) {
        const double apq = A[p * k + q];
        if (apq == 0.0) continue;
        // rotation angle that zeroes A[p][q] (Golub & Van Loan 8.5.2)
        const double tau = (A[q * k + q] - A[p * k + p]) / (2.0 * apq);
        const double t = (tau >= 0 ? 1.0 : -1.0) / (std::fabs(tau) + std::sqrt(1.0 + tau * tau));
        const double c = 1.0 / std::sqrt(1.0 + t * t), s = t * c;
        for (int r = 0; r < k; r++) {  // A <- A J (columns p, q)
          const double arp = A[r * k + p], arq = A[r * k + q];
          A[r * k + p] = c * arp - s * arq, A[r * k + q] = s * arp + c * arq;
        }
        for (int r = 0; r < k; r++) {  // A <- J^T A (rows p, q)
          const double apr = A[p * k + r], aqr = A[q * k + r];
          A[p * k + r] = c * apr - s * aqr, A[q * k + r] = s * apr + c * aqr;
        }
        for (int r = 0; r < k; r++) {
          const double vrp = V[r * k + p], vrq = V[r * k + q];
          V[r * k + p] = c * vrp - s * vrq, V[r * k + q] = s * vrp + c * vrq;
        }
      }
  }
  std::vector<int> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return A[a * k + a] > A[b * k + b]; });
  std::vector<double> Vs(size_t(k) * k);
  ev.resize(k);
  for (int c = 0; c < k; c++) {
    ev[c] = A[order[c] * k + order[c]];
    for (int r = 0; r < k; r++) Vs[r * k + c] = V[r * k + order[c]];
  }
  V.swap(Vs);
}

// Modified Gram-Schmidt on the k columns of Q (m, k); a (numerically) dependent column is
// replaced by a unit vector so the basis keeps k columns.
void orthonormalize(std::vector<double>& Q, int64_t m, int k) {
  for (int c = 0; c < k; c++) {
    for (int b = 0; b < c; b++) {
      double d = 0;
      for (int64_t r = 0; r < m; r++) d += Q[r * k + b] * Q[r * k + c];
      for (int64_t r = 0; r < m; r++) Q[r * k + c] -= d * Q[r * k + b];
    }
    double n = 0;
    for (int64_t r = 0; r < m; r++) n += Q[r * k + c] * Q[r * k + c];
    n = std::sqrt(n);
    if (n < 1e-200) {
      for (int64_t r = 0; r < m; r++) Q[r * k + c] = (r == c % m) ? 1.0 : 0.0;
      c--;  // re-orthogonalize the replacement (terminates: k <= m)
      continue;
    }
    for (int64_t r = 0; r < m; r++) Q[r * k + c] /= n;
  }
}

// W (m, k) = M (m, m) Q (m, k), parallel over rows (each entry one fixed-order dot product).
void symm_times(const std::vector<double>& M, int64_t m, const std::vector<double>& Q, int k, std::vector<double>& W) {
#pragma omp parallel for schedule(static) if (m >= 256)
  for (int64_t r = 0; r < m; r++)
    for (int c = 0; c < k; c++) {
      double s = 0;
      for (int64_t t = 0; t < m; t++) s += M[r * m + t] * Q[t * k + c];
      W[r * k + c] = s;
    }
}

}  // namespace

void pca_init(const float* X, int64_t N, int64_t D, uint64_t seed, double* Y) {
  DL_CHECK(N >= 2 && D >= 1, "t-SNE PCA init: need N >= 2 points and D >= 1 features, got (", N, ", ", D, ")");
  // Centre the data (means in double).
  std::vector<double> mean(D, 0.0);
  for (int64_t i = 0; i < N; i++)
    for (int64_t d = 0; d < D; d++) mean[d] += X[i * D + d];
  for (double& v : mean) v /= double(N);
  std::vector<float> Xc(size_t(N) * D);
  for (int64_t i = 0; i < N; i++)
    for (int64_t d = 0; d < D; d++) Xc[i * D + d] = float(X[i * D + d] - mean[d]);

  // Scatter matrix on the smaller side: covariance Xc^T Xc (D, D) or Gram Xc Xc^T (N, N), as
  // M[r][c] = sum_t A[r][t] A[c][t] over the rows of A = Xc^T (D, N) or Xc (N, D). Own loops, not
  // sgemm: OpenBLAS's summation order depends on its thread count.
  const bool gram = D > N;
  const int64_t m = gram ? N : D, L = gram ? D : N;
  std::vector<float> A(size_t(m) * L);
  for (int64_t i = 0; i < N; i++)
    for (int64_t d = 0; d < D; d++) (gram ? A[i * D + d] : A[d * N + i]) = Xc[i * D + d];
  std::vector<double> M(size_t(m) * m);
#pragma omp parallel for schedule(dynamic, 4)
  for (int64_t r = 0; r < m; r++)
    for (int64_t c = r; c < m; c++) {
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t t = 0; t < L; t++) s += double(A[r * L + t]) * double(A[c * L + t]);
      M[r * m + c] = M[c * m + r] = s;
    }

  const int k = int(std::min<int64_t>(m, 10));
  const int want = int(std::min<int64_t>(m, 2));
  std::vector<double> Q(size_t(m) * k), W(size_t(m) * k), H(size_t(k) * k), ev, S;
  Generator gen(seed);
  for (double& v : Q) v = gen.normal();
  orthonormalize(Q, m, k);
  for (int it = 0; it < 1000; it++) {
    symm_times(M, m, Q, k, W);  // W = M Q
    // Rayleigh-Ritz: H = Q^T M Q = S diag(ev) S^T; Ritz vectors Q S, and M Q S = W S.
    for (int a = 0; a < k; a++)
      for (int b = 0; b < k; b++) {
        double s = 0;
        for (int64_t r = 0; r < m; r++) s += Q[r * k + a] * W[r * k + b];
        H[a * k + b] = s;
      }
    for (int a = 0; a < k; a++)
      for (int b = 0; b < a; b++) H[a * k + b] = H[b * k + a] = 0.5 * (H[a * k + b] + H[b * k + a]);
    jacobi_eigen(H, k, ev, S);
    std::vector<double> QS(size_t(m) * k, 0.0), WS(size_t(m) * k, 0.0);
    for (int64_t r = 0; r < m; r++)
      for (int c = 0; c < k; c++)
        for (int t = 0; t < k; t++) QS[r * k + c] += Q[r * k + t] * S[t * k + c], WS[r * k + c] += W[r * k + t] * S[t * k + c];
    // Converged when the residual |M v - lambda v| of the wanted Ritz pairs is tiny relative to lambda_1.
    double res = 0;
    for (int c = 0; c < want; c++) {
      double s = 0;
      for (int64_t r = 0; r < m; r++) s += (WS[r * k + c] - ev[c] * QS[r * k + c]) * (WS[r * k + c] - ev[c] * QS[r * k + c]);
      res = std::max(res, std::sqrt(s));
    }
    Q.swap(QS);
    if (res <= 1e-8 * std::max(std::fabs(ev[0]), 1e-300)) break;
    Q = WS;  // next block: M (Q S), re-orthonormalized
    orthonormalize(Q, m, k);
  }

  // Scores (N, 2): Xc v (covariance) or u sqrt(lambda) (Gram).
  std::vector<double> score(size_t(N) * 2, 0.0);
  for (int c = 0; c < want; c++)
    for (int64_t i = 0; i < N; i++) {
      double s = 0;
      if (gram)
        s = Q[i * k + c] * std::sqrt(std::max(ev[c], 0.0));
      else
        for (int64_t d = 0; d < D; d++) s += double(Xc[i * D + d]) * Q[d * k + c];
      score[i * 2 + c] = s;
    }
  // svd_flip(u_based_decision=True): the largest-|value| score of each component is positive.
  for (int c = 0; c < 2; c++) {
    int64_t arg = 0;
    for (int64_t i = 1; i < N; i++)
      if (std::fabs(score[i * 2 + c]) > std::fabs(score[arg * 2 + c])) arg = i;
    if (score[arg * 2 + c] < 0)
      for (int64_t i = 0; i < N; i++) score[i * 2 + c] = -score[i * 2 + c];
  }
  // X_embedded / std(X_embedded[:, 0]) * 1e-4 (population std, as np.std).
  double mu = 0, var = 0;
  for (int64_t i = 0; i < N; i++) mu += score[i * 2];
  mu /= double(N);
  for (int64_t i = 0; i < N; i++) var += (score[i * 2] - mu) * (score[i * 2] - mu);
  const double sd = std::sqrt(var / double(N));
  DL_CHECK(sd > 0, "t-SNE PCA init: the ", N, " points are all identical (PC1 has zero variance)");
  for (int64_t i = 0; i < 2 * N; i++) Y[i] = score[i] / sd * 1e-4;
}

}  // namespace dl::tsne::detail
