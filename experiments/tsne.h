// tsne.h - t-SNE of an (N, D) float matrix to 2-d, following scikit-learn's TSNE (>= 1.2
// defaults): PCA initialization, perplexity 30, early exaggeration 12 for 250 iterations, 1000
// iterations, learning rate 'auto', momentum 0.5 then 0.8, delta-bar-delta gains. The exact O(N^2)
// gradient for small N, Barnes-Hut (quadtree, theta 0.5, sparse P on 3*perplexity neighbours)
// above. Deterministic: same input and seed -> same output, whatever the OpenMP thread count.
// The objective, gradient and the differences from sklearn are in docs/tsne.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dl::tsne {

enum class Method { Auto, Exact, BarnesHut };

struct Options {
  float perplexity = 30.0f;
  float early_exaggeration = 12.0f;
  int exaggeration_iters = 250;   // sklearn's _EXPLORATION_N_ITER
  int n_iter = 1000;              // total, including the exaggeration phase (sklearn max_iter)
  float learning_rate = -1.0f;    // <= 0: 'auto' = max(N / early_exaggeration / 4, 50)
  float momentum_early = 0.5f;
  float momentum_late = 0.8f;
  float min_gain = 0.01f;
  float min_grad_norm = 1e-7f;    // stop when |grad| drops below this (checked every 50 its)
  int n_iter_without_progress = 300;
  Method method = Method::Auto;
  int exact_max_n = 2000;         // Auto picks Exact for N <= this, Barnes-Hut above
  float theta = 0.5f;             // Barnes-Hut opening angle (sklearn 'angle')
  uint64_t seed = 0;              // start of the PCA subspace iteration
  bool verbose = false;           // KL every 50 iterations on stderr
};

struct Result {
  std::vector<float> embedding;  // (N, 2) row-major
  double kl = 0;                 // KL(P || Q) at the last check (without exaggeration)
  int iterations = 0;            // iterations run (< n_iter if it converged early)
  Method method = Method::Exact; // the path actually taken
};

// X: (N, D) row-major. Requires N >= 2 and perplexity < N (as sklearn); errors name N and the
// perplexity.
Result run(const float* X, int64_t N, int64_t D, const Options& opt = {});

// sklearn.manifold.trustworthiness with Euclidean distances: 1 - 2/(N k (2N - 3k - 1)) *
// sum_i sum_{j in kNN_emb(i)} max(0, rank_X(i, j) - k). 1 = neighbourhoods kept.
double trustworthiness(const float* X, int64_t N, int64_t D, const float* Y, int64_t d_emb, int k);

const char* method_name(Method m);

// ---- the pieces, exposed for tests and the benchmark -----------------------------------------
namespace detail {

// Squared Euclidean distances (N, N), sum_d (x_id - x_jd)^2 accumulated in double.
std::vector<float> squared_distances(const float* X, int64_t N, int64_t D);

// sklearn's _binary_search_perplexity for one row: finds beta with H(p_{.|i}) = log(perplexity)
// where p_{j|i} = exp(-beta d_ij) / sum. d: n squared distances to the candidates (self excluded);
// writes p (n) and returns beta.
double conditional_row(const float* d, int64_t n, double perplexity, double* p);

// Dense joint P (N, N): (P + P^T) / sum, floored at DBL_EPSILON off the diagonal, 0 on it.
std::vector<double> joint_probabilities_dense(const float* X, int64_t N, int64_t D, double perplexity);

// Sparse symmetric joint P in CSR (rows sorted by column) for Barnes-Hut.
struct SparseP {
  int64_t n = 0;
  std::vector<int64_t> indptr;  // (N + 1)
  std::vector<int32_t> indices;
  std::vector<double> values;
};
// k = min(N - 1, floor(3 perplexity + 1)) exact nearest neighbours, conditional P on them,
// then (P + P^T) / sum.
SparseP joint_probabilities_knn(const float* X, int64_t N, int64_t D, double perplexity);
SparseP dense_to_sparse(const std::vector<double>& P, int64_t N);  // every off-diagonal entry

// KL(P || Q) and its gradient dC/dY (N, 2) for the Student-t kernel q_ij ~ 1/(1 + |yi - yj|^2):
// grad_i = 4 sum_j (p_ij - q_ij) (1 + |yi - yj|^2)^-1 (yi - yj). `exaggeration` multiplies P (the
// returned KL then uses the exaggerated P, as sklearn's does). kl is computed only if want_kl.
double kl_gradient_exact(const std::vector<double>& P, int64_t N, const double* Y, double exaggeration,
                         double* grad, bool want_kl);
// Barnes-Hut approximation of the same: attraction over the sparse P, repulsion from a quadtree
// where a cell of width w at distance r is one body when w^2 / r^2 < theta^2 (theta 0 = exact).
double kl_gradient_bh(const SparseP& P, const double* Y, double exaggeration, double theta, double* grad,
                      bool want_kl);

// sklearn's init='pca': first 2 principal components (signs fixed so that each column's
// largest-|value| entry is positive), divided by the std of PC1, times 1e-4. Writes (N, 2).
void pca_init(const float* X, int64_t N, int64_t D, uint64_t seed, double* Y);

}  // namespace detail
}  // namespace dl::tsne
