// test_tsne.cpp - t-SNE (experiments/tsne.h): perplexity calibration, the exact gradient against
// finite differences of the KL objective, Barnes-Hut against exact, PCA initialization,
// trustworthiness, neighbourhood preservation on clustered data, determinism, bad input.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <numeric>

#include "experiments/tsne.h"
#include "tensor/error.h"
#include "tensor/generator.h"

using namespace dl;
using namespace dl::tsne;
namespace td = dl::tsne::detail;

namespace {

// n points in `clusters` Gaussian clusters in dim d: centres N(0, sep^2 I), within-cluster N(0, I).
std::vector<float> clustered(int64_t n, int64_t d, int clusters, float sep, uint64_t seed,
                             std::vector<int>* labels = nullptr) {
  Generator gen(seed);
  std::vector<float> centres(size_t(clusters) * d), X(size_t(n) * d);
  for (float& c : centres) c = sep * gen.normal();
  for (int64_t i = 0; i < n; i++) {
    const int c = int(i % clusters);
    if (labels) labels->push_back(c);
    for (int64_t k = 0; k < d; k++) X[i * d + k] = centres[c * d + k] + gen.normal();
  }
  return X;
}


}  // namespace

TEST(Tsne, BinarySearchHitsPerplexity) {
  Generator gen(3);
  std::vector<float> d(200);
  for (float& v : d) v = 50.0f * gen.uniform();  // squared distances
  std::vector<double> p(d.size());
  for (double perp : {5.0, 30.0, 80.0}) {
    td::conditional_row(d.data(), int64_t(d.size()), perp, p.data());
    double H = 0, sum = 0;
    for (double v : p) sum += v, H -= v > 0 ? v * std::log(v) : 0.0;
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_NEAR(std::exp(H), perp, 1e-3 * perp) << "perplexity " << perp;
  }
  // far-apart points (sklearn's sum underflows here) still give a proper distribution
  for (float& v : d) v += 1e5f;
  td::conditional_row(d.data(), int64_t(d.size()), 30.0, p.data());
  double H = 0;
  for (double v : p) H -= v > 0 ? v * std::log(v) : 0.0;
  EXPECT_NEAR(std::exp(H), 30.0, 0.05);
}

TEST(Tsne, JointProbabilitiesSymmetricAndNormalized) {
  const int64_t N = 60, D = 7;
  const std::vector<float> X = clustered(N, D, 3, 3.0f, 5);
  const std::vector<double> P = td::joint_probabilities_dense(X.data(), N, D, 10.0);
  double sum = 0;
  for (int64_t i = 0; i < N; i++) {
    EXPECT_EQ(P[i * N + i], 0.0);
    for (int64_t j = 0; j < N; j++) {
      sum += P[i * N + j];
      EXPECT_EQ(P[i * N + j], P[j * N + i]);
    }
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);
  const td::SparseP S = td::joint_probabilities_knn(X.data(), N, D, 10.0);  // k = 31
  double ssum = 0;
  for (int64_t i = 0; i < N; i++) {
    EXPECT_GE(S.indptr[i + 1] - S.indptr[i], 31);
    for (int64_t t = S.indptr[i]; t < S.indptr[i + 1]; t++) {
      ssum += S.values[t];
      const int64_t j = S.indices[t];
      EXPECT_NE(j, i);
      // the transpose entry exists with the same value
      bool found = false;
      for (int64_t u = S.indptr[j]; u < S.indptr[j + 1]; u++)
        if (S.indices[u] == i) {
          found = true;
          EXPECT_DOUBLE_EQ(S.values[u], S.values[t]);
        }
      EXPECT_TRUE(found);
    }
  }
  EXPECT_NEAR(ssum, 1.0, 1e-9);
}

TEST(Tsne, ExactGradientMatchesFiniteDifferences) {
  const int64_t N = 9, D = 4;
  const std::vector<float> X = clustered(N, D, 2, 2.0f, 7);
  const std::vector<double> P = td::joint_probabilities_dense(X.data(), N, D, 3.0);
  Generator gen(11);
  std::vector<double> Y(2 * N), grad(2 * N), g2(2 * N);
  for (double& y : Y) y = gen.normal();
  const double kl = td::kl_gradient_exact(P, N, Y.data(), 1.0, grad.data(), true);
  EXPECT_GT(kl, 0.0);
  const double h = 1e-5;
  for (int64_t t = 0; t < 2 * N; t++) {
    std::vector<double> Yp = Y, Ym = Y;
    Yp[t] += h, Ym[t] -= h;
    const double fd = (td::kl_gradient_exact(P, N, Yp.data(), 1.0, g2.data(), true) -
                       td::kl_gradient_exact(P, N, Ym.data(), 1.0, g2.data(), true)) / (2 * h);
    EXPECT_NEAR(grad[t], fd, 1e-6 + 1e-5 * std::fabs(fd)) << "coordinate " << t;
  }
  // KL against a direct evaluation of sum p log(p / q)
  double Z = 0, direct = 0;
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < N; j++)
      if (i != j) Z += 1.0 / (1.0 + std::pow(Y[2 * i] - Y[2 * j], 2) + std::pow(Y[2 * i + 1] - Y[2 * j + 1], 2));
  for (int64_t i = 0; i < N; i++)
    for (int64_t j = 0; j < N; j++)
      if (i != j) {
        const double q = 1.0 / (1.0 + std::pow(Y[2 * i] - Y[2 * j], 2) + std::pow(Y[2 * i + 1] - Y[2 * j + 1], 2)) / Z;
        direct += P[i * N + j] * std::log(P[i * N + j] / q);
      }
  EXPECT_NEAR(kl, direct, 1e-10);
}

TEST(Tsne, BarnesHutMatchesExact) {
  const int64_t N = 300, D = 10;
  const std::vector<float> X = clustered(N, D, 5, 3.0f, 13);
  const std::vector<double> P = td::joint_probabilities_dense(X.data(), N, D, 30.0);
  const td::SparseP S = td::dense_to_sparse(P, N);
  Generator gen(17);
  std::vector<double> Y(2 * N), ge(2 * N), gb(2 * N);
  for (double& y : Y) y = 5.0 * gen.normal();
  Y[2] = Y[0], Y[3] = Y[1];  // a duplicate point
  const double kle = td::kl_gradient_exact(P, N, Y.data(), 12.0, ge.data(), true);
  // theta = 0 opens every cell: the same sums, up to rounding
  double klb = td::kl_gradient_bh(S, Y.data(), 12.0, 0.0, gb.data(), true);
  EXPECT_NEAR(klb, kle, 1e-9 * std::fabs(kle));
  double num = 0, den = 0;
  for (int64_t t = 0; t < 2 * N; t++) num += (gb[t] - ge[t]) * (gb[t] - ge[t]), den += ge[t] * ge[t];
  EXPECT_LT(num / den, 1e-20);
  // theta = 0.5: an approximation, a few percent off at most
  td::kl_gradient_bh(S, Y.data(), 12.0, 0.5, gb.data(), false);
  num = 0;
  for (int64_t t = 0; t < 2 * N; t++) num += (gb[t] - ge[t]) * (gb[t] - ge[t]);
  EXPECT_LT(std::sqrt(num / den), 0.05);
  EXPECT_GT(std::sqrt(num / den), 0.0);  // it did approximate something
}

TEST(Tsne, PcaInitRecoversLeadingComponents) {
  for (int64_t D : {6, 80}) {  // covariance path (D <= N) and Gram path (D > N)
    const int64_t N = 50;
    Generator gen(19);
    std::vector<float> X(size_t(N) * D);
    std::vector<double> a(N), b(N);
    for (int64_t i = 0; i < N; i++) a[i] = 3.0 * gen.normal(), b[i] = 1.0 * gen.normal();
    // centre a and b and make them exactly uncorrelated, so the sample PCs are exactly along them
    double ma = 0, mb = 0, ab = 0, aa = 0;
    for (int64_t i = 0; i < N; i++) ma += a[i] / N, mb += b[i] / N;
    for (int64_t i = 0; i < N; i++) a[i] -= ma, b[i] -= mb, ab += a[i] * b[i], aa += a[i] * a[i];
    for (int64_t i = 0; i < N; i++) b[i] -= ab / aa * a[i];
    for (int64_t i = 0; i < N; i++) {
      for (int64_t k = 0; k < D; k++) X[i * D + k] = 0.01f * gen.normal() + 7.0f;  // offset: centring matters
      X[i * D + 0] += float(a[i] / std::sqrt(2.0)), X[i * D + 1] += float(a[i] / std::sqrt(2.0));
      X[i * D + 2] += float(b[i]);
    }
    std::vector<double> Y(2 * N);
    td::pca_init(X.data(), N, D, 0, Y.data());
    auto corr = [&](const std::vector<double>& v, int c) {
      double mv = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
      for (int64_t i = 0; i < N; i++) mv += v[i] / N, my += Y[2 * i + c] / N;
      for (int64_t i = 0; i < N; i++)
        sxy += (v[i] - mv) * (Y[2 * i + c] - my), sxx += (v[i] - mv) * (v[i] - mv),
            syy += (Y[2 * i + c] - my) * (Y[2 * i + c] - my);
      return sxy / std::sqrt(sxx * syy);
    };
    EXPECT_GT(std::fabs(corr(a, 0)), 0.999) << "D=" << D;
    EXPECT_GT(std::fabs(corr(b, 1)), 0.999) << "D=" << D;
    double m = 0, v = 0;
    for (int64_t i = 0; i < N; i++) m += Y[2 * i] / N;
    for (int64_t i = 0; i < N; i++) v += (Y[2 * i] - m) * (Y[2 * i] - m) / N;
    EXPECT_NEAR(std::sqrt(v), 1e-4, 1e-10);
    for (int c = 0; c < 2; c++) {  // svd_flip: the largest-|value| entry is positive
      int64_t arg = 0;
      for (int64_t i = 0; i < N; i++)
        if (std::fabs(Y[2 * i + c]) > std::fabs(Y[2 * arg + c])) arg = i;
      EXPECT_GT(Y[2 * arg + c], 0.0);
    }
  }
}

TEST(Tsne, TrustworthinessBounds) {
  const int64_t N = 100;
  const std::vector<float> X = clustered(N, 2, 4, 3.0f, 23);
  EXPECT_DOUBLE_EQ(trustworthiness(X.data(), N, 2, X.data(), 2, 5), 1.0);
  // a random embedding keeps little: about 0.5
  Generator gen(29);
  std::vector<float> R(2 * N);
  for (float& r : R) r = gen.normal();
  const double t = trustworthiness(X.data(), N, 2, R.data(), 2, 5);
  EXPECT_LT(t, 0.7);
  EXPECT_GT(t, 0.3);
  EXPECT_THROW(trustworthiness(X.data(), N, 2, X.data(), 2, 60), Error);
}

// 10 Gaussian clusters in 50-d, 300 points: both paths keep neighbourhoods.
TEST(Tsne, ClusteredDataKeepsNeighbourhoods) {
  const int64_t N = 300, D = 50;
  std::vector<int> labels;
  const std::vector<float> X = clustered(N, D, 10, 1.0f, 31, &labels);
  for (Method m : {Method::Exact, Method::BarnesHut}) {
    Options opt;
    opt.method = m;
    const Result r = run(X.data(), N, D, opt);
    EXPECT_EQ(r.method, m);
    EXPECT_EQ(r.iterations, 1000);
    EXPECT_GT(r.kl, 0.0);
    const std::vector<float> Y(r.embedding.begin(), r.embedding.end());
    const double t5 = trustworthiness(X.data(), N, D, Y.data(), 2, 5);
    const double t10 = trustworthiness(X.data(), N, D, Y.data(), 2, 10);
    RecordProperty(std::string(method_name(m)) + "_trustworthiness_k10", std::to_string(t10));
    std::printf("[t-SNE %s] KL %.4f trustworthiness k=5 %.4f k=10 %.4f\n", method_name(m), r.kl, t5, t10);
    EXPECT_GE(t5, 0.9) << method_name(m);
    EXPECT_GE(t10, 0.9) << method_name(m);
    // the embedding's 1-nearest neighbour is mostly of the same cluster
    int same = 0;
    for (int64_t i = 0; i < N; i++) {
      int64_t best = -1;
      double bd = 1e300;
      for (int64_t j = 0; j < N; j++) {
        const double d = std::pow(Y[2 * i] - Y[2 * j], 2) + std::pow(Y[2 * i + 1] - Y[2 * j + 1], 2);
        if (j != i && d < bd) bd = d, best = j;
      }
      same += labels[best] == labels[i];
    }
    EXPECT_GT(same, int(0.95 * N)) << method_name(m);
  }
}

// Sizes above the thresholds where the gradient loops go parallel (exact 512, Barnes-Hut 1024).
TEST(Tsne, DeterministicAcrossRunsAndThreadCounts) {
  const int threads = omp_get_max_threads();
  for (Method m : {Method::Exact, Method::BarnesHut}) {
    const int64_t N = m == Method::Exact ? 520 : 1030, D = 16;
    const std::vector<float> X = clustered(N, D, 5, 2.0f, 37);
    Options opt;
    opt.method = m;
    opt.perplexity = 20;
    opt.exaggeration_iters = 20;  // both phases, kept short
    opt.n_iter = 40;
    opt.seed = 5;
    const Result a = run(X.data(), N, D, opt);
    const Result b = run(X.data(), N, D, opt);
    omp_set_num_threads(threads > 1 ? 1 : 3);
    const Result c = run(X.data(), N, D, opt);
    omp_set_num_threads(threads);
    EXPECT_EQ(a.embedding, b.embedding) << method_name(m);
    EXPECT_EQ(a.embedding, c.embedding) << method_name(m) << ": differs between " << threads << " and "
                                        << (threads > 1 ? 1 : 3) << " threads";
    EXPECT_EQ(a.kl, c.kl);
  }
}

TEST(Tsne, BadInputNamesTheProblem) {
  std::vector<float> X = clustered(20, 3, 2, 1.0f, 41);
  try {
    run(X.data(), 20, 3, Options{});  // perplexity 30 >= N
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("perplexity 30"), std::string::npos) << e.what();
  }
  Options opt;
  opt.perplexity = 5;
  X[7] = NAN;
  EXPECT_THROW(run(X.data(), 20, 3, opt), Error);
  std::vector<float> same(30, 1.0f);
  EXPECT_THROW(run(same.data(), 10, 3, opt), Error);  // all points identical: no PCA direction
}
