// bench_tsne.cpp - t-SNE end to end (affinities, PCA init, 1000 iterations): exact on 1000 x 512
// (the paper's figure: 1000 validation images, 512-d features) and Barnes-Hut on 5000 x 50; and one
// gradient evaluation of each. Counter "pairs/s" = N^2 (exact) or N log2 N (Barnes-Hut) per
// gradient call: the work the method's cost model counts.
#include <benchmark/benchmark.h>

#include <cmath>

#include "experiments/tsne.h"
#include "tensor/generator.h"

namespace {

std::vector<float> clustered(int64_t n, int64_t d, uint64_t seed) {
  dl::Generator gen(seed);
  std::vector<float> centres(10 * d), X(size_t(n * d));
  for (float& c : centres) c = gen.normal();
  for (int64_t i = 0; i < n; i++)
    for (int64_t k = 0; k < d; k++) X[i * d + k] = centres[(i % 10) * d + k] + 0.8f * gen.normal();
  return X;
}

void BM_tsne_run(benchmark::State& state) {
  const int64_t n = state.range(0), d = state.range(1);
  const bool exact = state.range(2) != 0;
  const std::vector<float> X = clustered(n, d, 1);
  dl::tsne::Options opt;
  opt.method = exact ? dl::tsne::Method::Exact : dl::tsne::Method::BarnesHut;
  double kl = 0;
  for (auto _ : state) kl = dl::tsne::run(X.data(), n, d, opt).kl;
  state.counters["KL"] = kl;
  state.SetLabel(exact ? "exact, 1000 iterations" : "barnes_hut, 1000 iterations");
}
BENCHMARK(BM_tsne_run)->Args({1000, 512, 1})->Args({5000, 50, 0})->Unit(benchmark::kSecond)->MeasureProcessCPUTime()->UseRealTime()->Iterations(1);

void BM_tsne_gradient(benchmark::State& state) {
  const int64_t n = state.range(0);
  const bool exact = state.range(1) != 0;
  const std::vector<float> X = clustered(n, 50, 2);
  std::vector<double> Y(2 * n), g(2 * n);
  dl::Generator gen(3);
  for (double& y : Y) y = 10.0 * gen.normal();
  std::vector<double> P;
  dl::tsne::detail::SparseP S;
  if (exact)
    P = dl::tsne::detail::joint_probabilities_dense(X.data(), n, 50, 30.0);
  else
    S = dl::tsne::detail::joint_probabilities_knn(X.data(), n, 50, 30.0);
  for (auto _ : state) {
    if (exact)
      dl::tsne::detail::kl_gradient_exact(P, n, Y.data(), 1.0, g.data(), false);
    else
      dl::tsne::detail::kl_gradient_bh(S, Y.data(), 1.0, 0.5, g.data(), false);
    benchmark::DoNotOptimize(g.data());
  }
  const double work = exact ? double(n) * n : double(n) * std::log2(double(n));
  state.counters["pairs/s"] = benchmark::Counter(work, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_tsne_gradient)->Args({1000, 1})->Args({2000, 1})->Args({5000, 0})->Args({10000, 0})
    ->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
