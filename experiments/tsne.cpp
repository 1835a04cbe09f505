// tsne.cpp - the t-SNE driver: affinities, PCA initialization, and sklearn's two-phase gradient
// descent (sklearn/manifold/_t_sne.py, _gradient_descent):
//   phase 1: iterations [0, 250), P * early_exaggeration, momentum 0.5
//   phase 2: iterations [250, n_iter), P, momentum 0.8 (update and gains restart at zero / one)
//   each iteration: g = dC/dy; gains += 0.2 where sign(update) != sign(g), else gains *= 0.8;
//                   gains >= min_gain; update = momentum update - lr gains g; y += update
//   every 50th iteration: stop if the error did not improve for n_iter_without_progress
//   iterations, or if |gains g| <= min_grad_norm.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "experiments/tsne.h"
#include "tensor/error.h"

namespace dl::tsne {

const char* method_name(Method m) {
  switch (m) {
    case Method::Auto: return "auto";
    case Method::Exact: return "exact";
    case Method::BarnesHut: return "barnes_hut";
  }
  return "?";
}

namespace {

struct Objective {
  Method method;
  int64_t n;
  std::vector<double> dense;  // exact: (N, N)
  detail::SparseP sparse;     // Barnes-Hut
  double theta;
  double operator()(const double* Y, double exaggeration, double* grad, bool want_kl) const {
    return method == Method::Exact
               ? detail::kl_gradient_exact(dense, n, Y, exaggeration, grad, want_kl)
               : detail::kl_gradient_bh(sparse, Y, exaggeration, theta, grad, want_kl);
  }
};

struct Phase {
  int it, max_iter;
  double momentum, exaggeration;
  int n_iter_without_progress;
};

// One call of sklearn's _gradient_descent; returns the last iteration index run.
int gradient_descent(const Objective& obj, std::vector<double>& Y, const Phase& ph, const Options& opt, double lr,
                     double& error) {
  const size_t n = Y.size();
  std::vector<double> update(n, 0.0), gains(n, 1.0), grad(n);
  double best_error = std::numeric_limits<double>::max();
  int best_iter = ph.it, i = ph.it;
  const int check_every = 50;
  for (i = ph.it; i < ph.max_iter; i++) {
    const bool check = (i + 1) % check_every == 0;
    const bool want_kl = check || i == ph.max_iter - 1;
    const double e = obj(Y.data(), ph.exaggeration, grad.data(), want_kl);
    if (want_kl) error = e;
    double gnorm2 = 0;
    for (size_t t = 0; t < n; t++) {
      gains[t] = update[t] * grad[t] < 0.0 ? gains[t] + 0.2 : gains[t] * 0.8;
      gains[t] = std::max(gains[t], double(opt.min_gain));
      const double g = grad[t] * gains[t];
      gnorm2 += g * g;
      update[t] = ph.momentum * update[t] - lr * g;
      Y[t] += update[t];
    }
    if (check) {
      if (opt.verbose) std::fprintf(stderr, "[t-SNE] iteration %d: KL %.6f, |grad| %.3g\n", i + 1, error, std::sqrt(gnorm2));
      if (error < best_error) {
        best_error = error, best_iter = i;
      } else if (i - best_iter > ph.n_iter_without_progress) {
        break;
      }
      if (std::sqrt(gnorm2) <= opt.min_grad_norm) break;
    }
  }
  return std::min(i, ph.max_iter - 1);
}

}  // namespace

Result run(const float* X, int64_t N, int64_t D, const Options& opt) {
  DL_CHECK(N >= 2 && D >= 1, "t-SNE: need an (N, D) matrix with N >= 2 and D >= 1, got (", N, ", ", D, ")");
  DL_CHECK(opt.perplexity > 0 && opt.perplexity < double(N), "t-SNE: perplexity ", opt.perplexity,
           " must be in (0, N) for N = ", N, " points");
  DL_CHECK(opt.n_iter >= 1 && opt.exaggeration_iters >= 0, "t-SNE: n_iter ", opt.n_iter, " and exaggeration_iters ",
           opt.exaggeration_iters, " must be positive");
  for (int64_t t = 0; t < N * D; t++)
    DL_CHECK(std::isfinite(X[t]), "t-SNE: input (", N, ", ", D, ") has a non-finite value at row ", t / D,
             ", column ", t % D);
  const auto t0 = std::chrono::steady_clock::now();

  Objective obj;
  obj.method = opt.method == Method::Auto ? (N <= opt.exact_max_n ? Method::Exact : Method::BarnesHut) : opt.method;
  obj.n = N;
  obj.theta = opt.theta;
  if (obj.method == Method::Exact)
    obj.dense = detail::joint_probabilities_dense(X, N, D, opt.perplexity);
  else
    obj.sparse = detail::joint_probabilities_knn(X, N, D, opt.perplexity);

  std::vector<double> Y(size_t(N) * 2);
  detail::pca_init(X, N, D, opt.seed, Y.data());
  const double lr = opt.learning_rate > 0 ? opt.learning_rate
                                          : std::max(double(N) / opt.early_exaggeration / 4.0, 50.0);
  if (opt.verbose)
    std::fprintf(stderr, "[t-SNE] N=%lld D=%lld method=%s perplexity=%g lr=%g (setup %.2fs)\n", (long long)N,
                 (long long)D, method_name(obj.method), opt.perplexity, lr,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  double error = 0;
  const int explore = std::min(opt.exaggeration_iters, opt.n_iter);
  int last = -1;
  if (explore > 0)
    last = gradient_descent(obj, Y, {0, explore, opt.momentum_early, opt.early_exaggeration, explore}, opt, lr, error);
  if (last + 1 < opt.n_iter)
    last = gradient_descent(obj, Y, {last + 1, opt.n_iter, opt.momentum_late, 1.0, opt.n_iter_without_progress}, opt,
                            lr, error);

  Result r;
  r.embedding.assign(Y.begin(), Y.end());
  r.kl = error;
  r.iterations = last + 1;
  r.method = obj.method;
  if (opt.verbose)
    std::fprintf(stderr, "[t-SNE] done: %d iterations, KL %.6f, %.2fs\n", r.iterations, r.kl,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return r;
}

}  // namespace dl::tsne
