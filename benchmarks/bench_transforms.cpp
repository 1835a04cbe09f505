// bench_transforms.cpp - data/pipeline.h throughput, single thread: simclr_view and
// clean_transform images/s for CIFAR-10 and MNIST, and the loader's per-sample work for SimCLR
// (clean + two views). The loader needs ~2000 such samples/s on 2 threads.
#include <benchmark/benchmark.h>

#include <vector>

#include "data/pipeline.h"
#include "tensor/generator.h"

namespace {

using dl::data::DatasetKind;

// 64 different images, so the branch predictor and caches see a realistic mix.
std::vector<uint8_t> random_images(DatasetKind kind, int n) {
  const dl::data::ImageSpec sp = dl::data::image_spec(kind);
  std::vector<uint8_t> v(static_cast<size_t>(n) * sp.channels * sp.height * sp.width);
  dl::Generator g(1);
  for (auto& b : v) b = static_cast<uint8_t>(g.next_u32() >> 24);
  return v;
}

void run(benchmark::State& state, DatasetKind kind, int views, bool clean) {
  const dl::data::ImageSpec sp = dl::data::image_spec(kind);
  const size_t elems = static_cast<size_t>(sp.channels) * sp.height * sp.width;
  const int n = 64;
  const std::vector<uint8_t> imgs = random_images(kind, n);
  std::vector<float> out(3 * dl::data::kOutElems);
  dl::Generator rng(2);
  const dl::data::AugmentConfig cfg;
  int64_t k = 0;
  for (auto _ : state) {
    const uint8_t* src = imgs.data() + (k++ % n) * elems;
    if (clean) dl::data::clean_transform(kind, src, out.data());
    for (int v = 0; v < views; ++v) dl::data::simclr_view(kind, src, out.data() + (v + 1) * dl::data::kOutElems, rng, cfg);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["images/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_simclr_view_cifar(benchmark::State& s) { run(s, DatasetKind::CIFAR10, 1, false); }
void BM_simclr_view_mnist(benchmark::State& s) { run(s, DatasetKind::MNIST, 1, false); }
void BM_clean_transform_cifar(benchmark::State& s) { run(s, DatasetKind::CIFAR10, 0, true); }
void BM_clean_transform_mnist(benchmark::State& s) { run(s, DatasetKind::MNIST, 0, true); }
// One SimCLR training sample as the loader builds it: (clean, view1, view2).
void BM_clean_plus_two_views_cifar(benchmark::State& s) { run(s, DatasetKind::CIFAR10, 2, true); }
void BM_clean_plus_two_views_mnist(benchmark::State& s) { run(s, DatasetKind::MNIST, 2, true); }

BENCHMARK(BM_simclr_view_cifar)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_simclr_view_mnist)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_clean_transform_cifar)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_clean_transform_mnist)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_clean_plus_two_views_cifar)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_clean_plus_two_views_mnist)->Unit(benchmark::kMicrosecond);

}  // namespace
