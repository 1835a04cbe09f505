// bench_losses.cu - the reconstruction and KL losses of the AE / VAE at batch 256, forward and
// backward separately, in GB/s of compulsory traffic (the copy bound BM_cuda_copy_bound in
// bench_kernels.cu is the reference; tools/gpu_check.sh prints the ratio). The forwards end in
// the deterministic whole-tensor sum (sum_terms: cub::DeviceReduce in double), so at these small
// sizes they mostly measure its two launches; the backwards are one elementwise kernel each.
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/kl_normal.h"
#include "kernels/cuda/mse_loss.h"

namespace {

using namespace dl;
using namespace dl::bench;

constexpr int64_t kImage = kBatch * 3 * 32 * 32;  // decoder output / clean image (256, 3, 32, 32)
constexpr int64_t kLatent = kBatch * 128;         // VAE mu and logvar, each (256, 128) (latent_dim 128)

void BM_cuda_mse_fwd(benchmark::State& state) {  // loss = mean((pred - target)^2): read pred, target
  if (!require_gpu(state)) return;
  Tensor pred = device_tensor({kImage}, 1), target = device_tensor({kImage}, 2), loss = zeros({1}, Device::CUDA);
  time_loop(state, [&] { cuda::mse_loss_forward(loss.data(), pred.data(), target.data(), kImage); });
  set_bytes(state, 2.0 * kImage * 4);
}
BENCHMARK(BM_cuda_mse_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_mse_bwd(benchmark::State& state) {  // dpred = 2 (pred - target) dloss / n: read 2, write 1
  if (!require_gpu(state)) return;
  Tensor pred = device_tensor({kImage}, 1), target = device_tensor({kImage}, 2), dpred = zeros({kImage}, Device::CUDA);
  Tensor dloss = ones({1}, Device::CUDA);
  time_loop(state, [&] { cuda::mse_loss_backward(dpred.data(), dloss.data(), pred.data(), target.data(), kImage); });
  set_bytes(state, 3.0 * kImage * 4);
}
BENCHMARK(BM_cuda_mse_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_kl_normal_fwd(benchmark::State& state) {  // mean 0.5 (mu^2 + e^logvar - 1 - logvar): read 2
  if (!require_gpu(state)) return;
  Tensor mu = device_tensor({kLatent}, 1), logvar = device_tensor({kLatent}, 2), loss = zeros({1}, Device::CUDA);
  time_loop(state, [&] { cuda::kl_normal_forward(loss.data(), mu.data(), logvar.data(), kLatent); });
  set_bytes(state, 2.0 * kLatent * 4);
}
BENCHMARK(BM_cuda_kl_normal_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_kl_normal_bwd(benchmark::State& state) {  // dmu, dlogvar from mu, logvar: read 2, write 2
  if (!require_gpu(state)) return;
  Tensor mu = device_tensor({kLatent}, 1), logvar = device_tensor({kLatent}, 2);
  Tensor dmu = zeros({kLatent}, Device::CUDA), dlogvar = zeros({kLatent}, Device::CUDA), dloss = ones({1}, Device::CUDA);
  time_loop(state, [&] {
    cuda::kl_normal_backward(dmu.data(), dlogvar.data(), dloss.data(), mu.data(), logvar.data(), kLatent);
  });
  set_bytes(state, 4.0 * kLatent * 4);
}
BENCHMARK(BM_cuda_kl_normal_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
