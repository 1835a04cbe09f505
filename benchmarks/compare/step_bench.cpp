// step_bench.cpp - our side of benchmarks/compare (the PyTorch side is torch_steps.py, the
// driver run.sh). One process = one measurement: build the networks, run --warmup steps, time
// --reps steps, print
//   RESULT side=ours case=<case> median_ms=<m> min_ms=<m> cpu_ms=<CPU time per step, all threads> reps=<r> rss_mb=<peak RSS> ...
// Cases and networks are the same as torch_steps.py (batch 256; step = forward, backward, Adam):
//   sup64, sup16  ResNet18 encoder (width 64 / 16) + MLP(8w, 512, 10, eps 10) probe, cross-entropy
//   ae16          encoder(16) -> MLP(128, 512, 128, eps 128) -> decoder(latent 128, width 16) -> MSE
//   ntxent        l2_normalize + nt_xent (tau 0.5) forward + backward, z1, z2 (256, 128)
//   mlp           MLP(512, 512, 10, eps 10) step on 512-d features
//   sgemmM        cpu::gemm, square M x M (gflops=)
// Every case also prints step_gflop=<FLOPs of one step / 1e9>, counted once here (step_flops
// below; compare.py uses the count for both sides: GFLOP/s and share of the FMA peak), and
// --peak prints the machine's FMA peak instead (benchmarks/fma_peak.h).
// --profile: after the timed steps, run one more step with the tape profiler on and print the
// per-op table (autograd/profiler.h) plus the optimizer's time.
// Threads: OMP_NUM_THREADS / --threads (omp_set_num_threads).
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/profiler.h"
#include "benchmarks/fma_peak.h"
#include "kernels/cpu/gemm.h"
#include "benchmarks/compare/step_models.h"
#include "nn/adam.h"
#include "nn/mlp.h"
#include "nn/resnet_decoder.h"
#include "nn/resnet_encoder.h"
#include "tensor/cpu_allocator.h"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Case {
  std::function<void(bool profile)> step;  // profile: time the optimizer separately
  double flops = 0;                        // of one step (FlopCount)
  double optimizer_ms = 0;                 // last profiled step
};

// FLOPs of one training step, counted once here for both sides. Counted: the matrix products of
// the convolutions and linear layers, 2 FLOPs per multiply-add:
//   conv forward    2 N OC OH OW C KH KW        linear forward  2 N IN OUT
// and in the backward the same count again for the weight gradient and again for the input
// gradient, except for the network's first layer, whose input needs no gradient: 3x the forward
// per layer, 2x for the first. Not counted: batchnorm, ReLU, pooling, upsampling, residual adds,
// the loss, bias gradients and Adam (elementwise work, a few percent of the FLOPs).
struct FlopCount {
  double step = 0;
  bool first = true;  // the next layer is the network's first (its input needs no gradient)
  void product(double fwd) { step += (first ? 2 : 3) * fwd, first = false; }
  void conv(int64_t n, int64_t c, int64_t oc, int64_t ohw, int64_t k) { product(2.0 * n * oc * ohw * ohw * c * k * k); }
  void linear(int64_t n, int64_t in, int64_t out) { product(2.0 * n * in * out); }
};

// nn/resnet_encoder.cpp on 3 x 32 x 32 images: 3x3 stem, then per stage (width w, 2w, 4w, 8w at
// 32, 16, 8, 4 pixels) two blocks of two 3x3 convs, the first block of stages 2-4 with stride 2
// and a strided 1x1 shortcut.
void count_encoder(FlopCount& f, int64_t n, int64_t w) {
  f.conv(n, 3, w, 32, 3);
  int64_t cin = w, hw = 32;
  for (const int64_t mult : {1, 2, 4, 8}) {
    const int64_t cout = mult * w;
    if (mult > 1) hw /= 2;
    f.conv(n, cin, cout, hw, 3), f.conv(n, cout, cout, hw, 3);
    if (cin != cout) f.conv(n, cin, cout, hw, 1);
    f.conv(n, cout, cout, hw, 3), f.conv(n, cout, cout, hw, 3);
    cin = cout;
  }
}

// nn/resnet_decoder.cpp: linear to 8w x 4 x 4, then blocks (8w -> 4w, 4w -> 2w, 2w -> w, each
// upsampling 2x, then w -> w): conv1 (C -> C) at the input size, conv2 (C -> out) after the
// upsampling, a 1x1 shortcut (after the upsampling) where the shape changes, a second block of
// two out -> out convs; a final 3x3 conv w -> 3 at 32 x 32.
void count_decoder(FlopCount& f, int64_t n, int64_t latent, int64_t w) {
  f.linear(n, latent, 8 * w * 16);
  int64_t cin = 8 * w, hw = 4;
  for (const auto& [out, scale] : {std::pair{4 * w, 2}, {2 * w, 2}, {w, 2}, {w, 1}}) {
    f.conv(n, cin, cin, hw, 3);
    hw *= scale;
    f.conv(n, cin, out, hw, 3);
    if (scale != 1 || cin != out) f.conv(n, cin, out, hw, 1);
    f.conv(n, out, out, hw, 3), f.conv(n, out, out, hw, 3);
    cin = out;
  }
  f.conv(n, w, 3, 32, 3);
}

// The FLOPs of one step of a model case (0 for an unknown name).
double step_flops(const std::string& name, int64_t n) {
  FlopCount f;
  if (name == "sup16" || name == "sup64") {
    const int64_t w = std::stoll(name.substr(3));
    count_encoder(f, n, w);
    f.linear(n, 8 * w, 512), f.linear(n, 512, 10);
  } else if (name == "ae16") {
    count_encoder(f, n, 16);
    f.linear(n, 128, 512), f.linear(n, 512, 128);
    count_decoder(f, n, 128, 16);
  } else if (name == "mlp") {
    f.linear(n, 512, 512), f.linear(n, 512, 10);
  } else if (name == "ntxent") {  // S = Z Z^T, Z (2N, 128): forward, then dZ = dS Z + dS^T Z
    return 3 * 2.0 * (2 * n) * (2 * n) * 128;
  }
  return f.step;
}

using dl::bench::adam_opts;
using dl::bench::params_of;

// Shared by the model cases: zero grads, loss, backward, Adam.
std::function<void(bool)> train_step(std::shared_ptr<dl::nn::Adam> opt, std::function<dl::Tensor()> loss, Case* c) {
  return [opt, loss, c](bool profile) {
    opt->zero_grad();
    if (profile) dl::profiler_mark();
    dl::Tensor l = loss();
    dl::backward(l);
    const auto t0 = Clock::now();
    opt->step();
    if (profile) c->optimizer_ms = ms_since(t0);
  };
}

std::unique_ptr<Case> make_case(const std::string& name, int64_t batch) {
  auto c = std::make_unique<Case>();
  Case* cp = c.get();
  dl::Generator gen(1);
  if (name.rfind("sgemm", 0) == 0) {  // sgemmM: square M x M x M
    const int64_t m = std::stoll(name.substr(5));
    auto a = std::make_shared<dl::Tensor>(dl::rand_uniform({m, m}, 0, 1, gen));
    auto b = std::make_shared<dl::Tensor>(dl::rand_uniform({m, m}, 0, 1, gen));
    auto o = std::make_shared<dl::Tensor>(dl::Tensor::empty({m, m}));
    c->step = [a, b, o, m](bool) { dl::cpu::gemm(false, false, m, m, m, 1.0f, a->data(), b->data(), 0.0f, o->data()); };
    c->flops = 2.0 * m * m * m;
    return c;
  }
  if (name.rfind("gemm", 0) == 0) {  // gemmMxNxK[t]: one GEMM shape of the convolutions (t: B transposed)
    int64_t m = 0, n = 0, k = 0;
    char t = 0;
    std::sscanf(name.c_str() + 4, "%ldx%ldx%ld%c", &m, &n, &k, &t);
    const bool tb = t == 't';
    auto a = std::make_shared<dl::Tensor>(dl::rand_uniform({m, k}, 0, 1, gen));
    auto b = std::make_shared<dl::Tensor>(dl::rand_uniform({k, n}, 0, 1, gen));
    auto o = std::make_shared<dl::Tensor>(dl::Tensor::empty({m, n}));
    c->step = [a, b, o, m, n, k, tb](bool) {
      dl::cpu::gemm(false, tb, m, n, k, 1.0f, a->data(), b->data(), 0.0f, o->data());
    };
    c->flops = 2.0 * m * n * k;
    return c;
  }
  if (name.rfind("conv", 0) == 0) {  // convC_HW_S: one 3x3 conv C -> C (stride S), batch N, fwd + bwd
    int64_t ch = 0, hw = 0, st = 1;
    std::sscanf(name.c_str() + 4, "%ld_%ld_%ld", &ch, &hw, &st);
    auto x = std::make_shared<dl::Tensor>(dl::rand_uniform({batch, ch, hw, hw}, -1, 1, gen));
    auto w = std::make_shared<dl::Tensor>(dl::rand_uniform({ch, ch, 3, 3}, -0.1f, 0.1f, gen));
    x->set_requires_grad();
    w->set_requires_grad();
    const int64_t ohw = (hw + 2 - 3) / st + 1;
    auto seed = std::make_shared<dl::Tensor>(dl::rand_uniform({batch, ch, ohw, ohw}, -1, 1, gen));
    c->step = [x, w, seed, st](bool profile) {
      x->zero_grad();
      w->zero_grad();
      if (profile) dl::profiler_mark();
      dl::backward(dl::conv2d(*x, *w, dl::Tensor(), static_cast<int>(st), 1), *seed);
    };
    c->flops = 3 * 2.0 * batch * ch * ch * 9 * ohw * ohw;
    return c;
  }
  if (name == "ntxent") {
    auto z1 = std::make_shared<dl::Tensor>(dl::rand_normal({batch, 128}, 0, 1, gen));
    auto z2 = std::make_shared<dl::Tensor>(dl::rand_normal({batch, 128}, 0, 1, gen));
    z1->set_requires_grad();
    z2->set_requires_grad();
    c->step = [z1, z2](bool profile) {
      z1->zero_grad();
      z2->zero_grad();
      if (profile) dl::profiler_mark();
      dl::backward(dl::nt_xent(dl::l2_normalize(*z1), dl::l2_normalize(*z2), 0.5f));
    };
    return c;
  }
  const auto x = dl::rand_uniform({batch, 3, 32, 32}, -1, 1, gen);
  const auto y = dl::bench::random_labels(batch, 10, gen);
  if (name == "mlp") {
    auto head = std::make_shared<dl::nn::MLP>(512, 512, 10, 10.0f, gen);
    const auto f = dl::rand_normal({batch, 512}, 0, 1, gen);
    auto opt = std::make_shared<dl::nn::Adam>(params_of({head.get()}), adam_opts());
    c->step = train_step(opt, [head, f, y] { return dl::cross_entropy(head->forward(f), y); }, cp);
    return c;
  }
  if (name == "sup64" || name == "sup16") {
    const int64_t w = std::stoll(name.substr(3));
    auto enc = std::make_shared<dl::nn::ResNetEncoder>(w, gen);
    auto head = std::make_shared<dl::nn::MLP>(8 * w, 512, 10, 10.0f, gen);
    auto opt = std::make_shared<dl::nn::Adam>(params_of({enc.get(), head.get()}), adam_opts());
    c->step = train_step(opt, [enc, head, x, y] { return dl::cross_entropy(head->forward(enc->forward(x)), y); }, cp);
    return c;
  }
  if (name == "ae16") {
    const int64_t w = 16;
    auto enc = std::make_shared<dl::nn::ResNetEncoder>(w, gen);
    auto mlp = std::make_shared<dl::nn::MLP>(8 * w, 512, 128, 128.0f, gen);
    auto dec = std::make_shared<dl::nn::ResNetDecoder>(128, w, gen);
    auto opt = std::make_shared<dl::nn::Adam>(params_of({enc.get(), mlp.get(), dec.get()}), adam_opts());
    c->step = train_step(opt, [enc, mlp, dec, x] { return dl::mse_loss(dec->forward(mlp->forward(enc->forward(x))), x); }, cp);
    return c;
  }
  std::fprintf(stderr, "step_bench: unknown case '%s' (sup64 sup16 ae16 ntxent mlp sgemmM)\n", name.c_str());
  std::exit(2);
}

std::unique_ptr<Case> make_counted_case(const std::string& name, int64_t batch) {
  auto c = make_case(name, batch);
  if (c->flops == 0) c->flops = step_flops(name, batch);
  return c;
}

// --peak: one line per ISA and thread count, PEAK isa=<avx2|avx512> threads=<t> gflops=<best of
// several runs> (benchmarks/fma_peak.h).
void print_peaks(int threads) {
  std::vector<int> counts{1};
  if (threads > 1) counts.push_back(threads);
  for (const dl::bench::FmaIsa isa : dl::bench::available_fma_isas())
    for (const int t : counts) {
      const dl::bench::FmaPeak p = dl::bench::measure_fma_peak(isa, t);
      std::printf("PEAK isa=%s threads=%d gflops=%.1f median_gflops=%.1f runs=%d\n", dl::bench::isa_name(isa), t,
                  p.best_gflops, p.median_gflops, p.runs);
    }
}

}  // namespace

int main(int argc, char** argv) {
  std::string name;
  int warmup = 1, reps = 3, threads = 0;
  int64_t batch = 256;
  bool profile = false, detail = false, peak = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "step_bench: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--case") name = next();
    else if (a == "--warmup") warmup = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--batch") batch = std::stoll(next());
    else if (a == "--profile") profile = true;
    else if (a == "--peak") peak = true;
    else if (a == "--profile-detail") profile = detail = true;
    else { std::fprintf(stderr, "usage: step_bench --case C [--warmup W] [--reps R] [--threads T] [--batch B] [--profile] | --peak [--threads T]\n"); return 2; }
  }
  if (peak) {
    print_peaks(threads > 0 ? threads : omp_get_max_threads());
    return 0;
  }
  if (name.empty()) { std::fprintf(stderr, "step_bench: --case is required\n"); return 2; }
  if (threads > 0) omp_set_num_threads(threads);
  auto c = make_counted_case(name, batch);
  for (int i = 0; i < warmup; ++i) c->step(false);
  const size_t sys_allocs_before = dl::cpu_memory_stats().system_allocations;
  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    const auto t0 = Clock::now();
    c->step(false);
    times.push_back(ms_since(t0));
  }
  getrusage(RUSAGE_SELF, &ru1);
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  const double med = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                       : 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
  auto cpu_ms = [](const struct rusage& r) {
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
  };
  std::printf("RESULT side=ours case=%s median_ms=%.3f min_ms=%.3f cpu_ms=%.3f reps=%d rss_mb=%.1f threads=%d "
              "minflt_per_step=%.0f os_allocs_per_step=%.1f",
              name.c_str(), med, sorted.front(), (cpu_ms(ru1) - cpu_ms(ru0)) / reps, reps, ru1.ru_maxrss / 1024.0,
              omp_get_max_threads(),
              static_cast<double>(ru1.ru_minflt - ru0.ru_minflt) / reps,
              static_cast<double>(dl::cpu_memory_stats().system_allocations - sys_allocs_before) / reps);
  if (c->flops > 0) std::printf(" step_gflop=%.4f gflops=%.1f", c->flops / 1e9, c->flops / med / 1e6);
  std::printf("\n");
  if (profile) {  // one more step with the tape profiler on
    dl::profiler_enable(true, detail);
    const auto t0 = Clock::now();
    c->step(true);
    const double total = ms_since(t0);
    dl::profiler_enable(false);
    std::printf("PROFILE case=%s step_ms=%.2f optimizer_ms=%.2f (BLAS: %s)\n%s", name.c_str(), total,
                c->optimizer_ms, dl::cpu::blas_description(), dl::profiler_report(total).c_str());
  }
  return 0;
}
