// step_bench_cuda.cpp - our side of benchmarks/compare on a GPU (compare.py --device cuda; the
// PyTorch side is torch_steps.py --device cuda). One process = one measurement: build the
// networks on the GPU, run --warmup steps, time --reps steps (each ends with a stream
// synchronization, so a step's time is the GPU's), print
//   RESULT side=ours case=<case> median_ms=<m> min_ms=<m> reps=<r> gpu_mb=<peak device memory> device=<GPU>
//          math=fp32|tf32
// --tf32: cuBLAS's TF32 tensor cores for every GEMM (train --tf32; compare.py --tf32 gives PyTorch
// the same); default FP32.
// Cases (batch 256; step = zero grads, forward, backward, Adam(lr 3e-4)), the same networks as
// step_bench.cpp and torch_steps.py:
//   sup64, sup16   ResNet18 encoder (width w) + MLP(8w, 512, 10, eps 10) probe, cross-entropy
//   ae64, ae16     encoder(w) -> MLP(8w, 512, 128, eps 128) -> decoder(latent 128, width w) -> MSE
//   simclr64       one faithful SimCLR training step (experiments/losses.h with the paper preset:
//                  width 64, three encoder passes, online probe on the detached clean features,
//                  simclr_mlp(512, 512, 128, eps 128), cross-view NT-Xent at tau 0.1), i.e. the
//                  step whose time decides a SimCLR epoch on the GPU
// Without a usable GPU it prints `SKIP side=ours reason=...` and exits 0 (compare.py shows it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "experiments/config.h"
#include "experiments/losses.h"
#include "experiments/model.h"
#include "kernels/cuda/cuda_backend.h"
#include "benchmarks/compare/step_models.h"
#include "nn/adam.h"
#include "nn/mlp.h"
#include "nn/resnet_decoder.h"
#include "nn/resnet_encoder.h"
#include "tensor/device.h"
#include "tensor/error.h"

namespace {

using Clock = std::chrono::steady_clock;
using dl::Device;
using dl::Tensor;

using dl::bench::adam_opts;
using dl::bench::params_of;

// The whole state of one case lives in the closure (modules, optimizer, inputs on the GPU).
std::function<void()> make_step(const std::string& name, int64_t batch) {
  dl::Generator gen(1);
  const Device gpu = Device::CUDA;
  const Tensor x = dl::rand_uniform({batch, 3, 32, 32}, -1, 1, gen, gpu);
  const Tensor y = dl::bench::random_labels(batch, 10, gen, Device::CUDA);
  auto adam_step = [](std::shared_ptr<dl::nn::Adam> opt, std::function<Tensor()> loss) {
    return [opt, loss] {
      opt->zero_grad();
      dl::backward(loss());
      opt->step();
    };
  };
  if (name == "sup64" || name == "sup16") {
    const int64_t w = std::stoll(name.substr(3));
    auto enc = std::make_shared<dl::nn::ResNetEncoder>(w, gen);
    auto head = std::make_shared<dl::nn::MLP>(8 * w, 512, 10, 10.0f, gen);
    enc->to(gpu), head->to(gpu);  // before the optimizer takes the parameters' handles
    auto opt = std::make_shared<dl::nn::Adam>(params_of({enc.get(), head.get()}), adam_opts());
    return adam_step(opt, [enc, head, x, y] { return dl::cross_entropy(head->forward(enc->forward(x)), y); });
  }
  if (name == "ae64" || name == "ae16") {
    const int64_t w = std::stoll(name.substr(2));
    auto enc = std::make_shared<dl::nn::ResNetEncoder>(w, gen);
    auto mlp = std::make_shared<dl::nn::MLP>(8 * w, 512, 128, 128.0f, gen);
    auto dec = std::make_shared<dl::nn::ResNetDecoder>(128, w, gen);
    enc->to(gpu), mlp->to(gpu), dec->to(gpu);
    auto opt = std::make_shared<dl::nn::Adam>(params_of({enc.get(), mlp.get(), dec.get()}), adam_opts());
    return adam_step(opt, [enc, mlp, dec, x] { return dl::mse_loss(dec->forward(mlp->forward(enc->forward(x))), x); });
  }
  if (name == "simclr64") {
    auto cfg = std::make_shared<dl::experiments::RunConfig>(dl::experiments::preset("paper"));
    cfg->method = "simclr";
    cfg->dataset = "cifar10";
    cfg->batch_size = batch;
    cfg->device = "cuda";
    cfg->validate();
    auto model = std::make_shared<dl::experiments::Image2Vec>(*cfg, gen);
    model->to(gpu);
    model->train();
    dl::nn::AdamOptions ao;
    ao.lr = static_cast<float>(cfg->lr), ao.beta1 = static_cast<float>(cfg->beta1);
    ao.beta2 = static_cast<float>(cfg->beta2), ao.eps = static_cast<float>(cfg->adam_eps);
    auto opt = std::make_shared<dl::nn::Adam>(model->named_parameters(), ao);
    const Tensor v1 = dl::rand_uniform({batch, 3, 32, 32}, 0, 1, gen, gpu);
    const Tensor v2 = dl::rand_uniform({batch, 3, 32, 32}, 0, 1, gen, gpu);
    auto noise = std::make_shared<dl::Generator>(2);
    return adam_step(opt, [model, cfg, x, v1, v2, y, noise] {
      return dl::experiments::training_loss(*model, *cfg, x, v1, v2, y, *noise).total;
    });
  }
  DL_FAIL("step_bench_cuda: unknown case '", name, "' (sup64 sup16 ae64 ae16 simclr64)");
}

}  // namespace

int main(int argc, char** argv) {
  std::string name;
  int warmup = 3, reps = 10;
  int64_t batch = 256;
  bool tf32 = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "step_bench_cuda: %s needs a value\n", a.c_str()); std::exit(2); }
      return argv[++i];
    };
    if (a == "--case") name = next();
    else if (a == "--warmup") warmup = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--batch") batch = std::stoll(next());
    else if (a == "--tf32") tf32 = true;
    else if (a == "--threads" || a == "--device") next();  // compare.py passes them to both sides
    else if (a == "--help" || a == "-h") {
      std::printf("usage: step_bench_cuda --case sup64|sup16|ae64|ae16|simclr64 [--warmup W] [--reps R] [--batch B] "
                  "[--tf32]\n");
      return 0;
    } else { std::fprintf(stderr, "step_bench_cuda: unknown option '%s' (see --help)\n", a.c_str()); return 2; }
  }
  if (name.empty()) { std::fprintf(stderr, "step_bench_cuda: --case is required\n"); return 2; }
  try {
    dl::backend(Device::CUDA);
  } catch (const dl::Error& e) {
    std::printf("SKIP side=ours reason=no_gpu (%s)\n", e.what());
    return 0;
  }
  try {
    dl::cuda::set_tf32(tf32);
    auto step = make_step(name, batch);
    dl::DeviceBackend& dev = dl::backend(Device::CUDA);
    for (int i = 0; i < warmup; ++i) step();
    dev.synchronize();
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
      const auto t0 = Clock::now();
      step();
      dev.synchronize();
      times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    const size_t n = times.size();
    const double med = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    std::string gpu = dl::cuda::device_properties().name;
    std::replace(gpu.begin(), gpu.end(), ' ', '_');
    std::printf("RESULT side=ours case=%s median_ms=%.3f min_ms=%.3f reps=%d gpu_mb=%.0f device=%s math=%s\n",
                name.c_str(), med, times.front(), reps, dl::cuda::cuda_memory_stats().peak_bytes_in_use / 1048576.0,
                gpu.c_str(), tf32 ? "tf32" : "fp32");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "step_bench_cuda: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
