// bench_kernels.cu - the memory-bound kernels and the fused losses at model shapes (batch 256),
// in GB/s of compulsory traffic, next to their bounds: a device-to-device cudaMemcpy of the same
// size (BM_cuda_copy_bound) and cuBLAS sgemm for the GEMM-shaped work. More in bench_rows.cu
// (row-wise ops, sums, narrow_cols) and bench_losses.cu (mse, kl_normal).
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/adam.h"
#include "kernels/cuda/avgpool.h"
#include "kernels/cuda/axpy.h"
#include "kernels/cuda/binary.h"
#include "kernels/cuda/cross_entropy.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/matmul.h"
#include "kernels/cuda/nt_xent.h"
#include "kernels/cuda/sgd.h"
#include "kernels/cuda/unary.h"
#include "kernels/cuda/upsample.h"

namespace {

using namespace dl;
using namespace dl::bench;

constexpr int64_t kAct = kBatch * 64 * 32 * 32;  // the largest activation: layer1 output, 64 MiB

void BM_cuda_copy_bound(benchmark::State& state) {  // read + write n floats: the roofline for the rest
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] {
    CUDA_CHECK(cudaMemcpyAsync(b.data(), a.data(), kAct * 4, cudaMemcpyDeviceToDevice, cuda::stream()));
  });
  set_bytes(state, 2.0 * kAct * 4);
}
BENCHMARK(BM_cuda_copy_bound)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_relu_fwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::relu_forward(b.data(), a.data(), kAct); });
  set_bytes(state, 2.0 * kAct * 4);
}
BENCHMARK(BM_cuda_relu_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_relu_bwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor g = device_tensor({kAct}, 1), y = device_tensor({kAct}, 2), dx = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::relu_backward(dx.data(), g.data(), nullptr, y.data(), kAct); });
  set_bytes(state, 3.0 * kAct * 4);
}
BENCHMARK(BM_cuda_relu_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_add_residual(benchmark::State& state) {  // same-shape add (the residual connection)
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = device_tensor({kAct}, 2), c = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::add_forward(c.data(), a.data(), b.data(), 1, kAct, 1); });
  set_bytes(state, 3.0 * kAct * 4);
}
BENCHMARK(BM_cuda_add_residual)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_axpy(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor x = device_tensor({kAct}, 1), y = device_tensor({kAct}, 2);
  time_loop(state, [&] { cuda::axpy(y.data(), x.data(), 1.0f, kAct); });
  set_bytes(state, 3.0 * kAct * 4);
}
BENCHMARK(BM_cuda_axpy)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_upsample_fwd(benchmark::State& state) {  // decoder: (256, 128, 16, 16) -> 32 x 32
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * 128 * 16 * 16;
  Tensor x = device_tensor({n}, 1), y = zeros({4 * n}, Device::CUDA);
  time_loop(state, [&] { cuda::upsample_nearest2x_forward(y.data(), x.data(), kBatch, 128, 16, 16); });
  set_bytes(state, 5.0 * n * 4);
}
BENCHMARK(BM_cuda_upsample_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_upsample_bwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * 128 * 16 * 16;
  Tensor dy = device_tensor({4 * n}, 1), dx = zeros({n}, Device::CUDA);
  time_loop(state, [&] { cuda::upsample_nearest2x_backward(dx.data(), dy.data(), kBatch, 128, 16, 16); });
  set_bytes(state, 5.0 * n * 4);
}
BENCHMARK(BM_cuda_upsample_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_avgpool_fwd(benchmark::State& state) {  // (256, 512, 4, 4) -> (256, 512)
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * 512 * 16;
  Tensor x = device_tensor({n}, 1), y = zeros({n / 16}, Device::CUDA);
  time_loop(state, [&] { cuda::global_avg_pool_forward(y.data(), x.data(), kBatch, 512, 4, 4); });
  set_bytes(state, (n + n / 16) * 4.0);
}
BENCHMARK(BM_cuda_avgpool_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_avgpool_bwd(benchmark::State& state) {  // (256, 512) -> (256, 512, 4, 4)
  if (!require_gpu(state)) return;
  const int64_t n = kBatch * 512 * 16;
  Tensor dy = device_tensor({n / 16}, 1), dx = zeros({n}, Device::CUDA);
  time_loop(state, [&] { cuda::global_avg_pool_backward(dx.data(), dy.data(), kBatch, 512, 4, 4); });
  set_bytes(state, (n + n / 16) * 4.0);
}
BENCHMARK(BM_cuda_avgpool_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Unary ops other than ReLU on the largest activation (the kernels are shape-blind: one grid-
// stride loop each). Forward reads x, writes y; sigmoid's backward reads dout and y, writes dx.
void BM_cuda_sigmoid_fwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::sigmoid_forward(b.data(), a.data(), kAct); });
  set_bytes(state, 2.0 * kAct * 4);
}
BENCHMARK(BM_cuda_sigmoid_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_sigmoid_bwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor g = device_tensor({kAct}, 1), x = device_tensor({kAct}, 2), y = zeros({kAct}, Device::CUDA);
  Tensor dx = zeros({kAct}, Device::CUDA);
  cuda::sigmoid_forward(y.data(), x.data(), kAct);
  time_loop(state, [&] { cuda::sigmoid_backward(dx.data(), g.data(), x.data(), y.data(), kAct); });
  set_bytes(state, 3.0 * kAct * 4);
}
BENCHMARK(BM_cuda_sigmoid_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_exp_fwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::exp_forward(b.data(), a.data(), kAct); });
  set_bytes(state, 2.0 * kAct * 4);
}
BENCHMARK(BM_cuda_exp_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The per-channel broadcast: (256, 64, 32, 32) times a (64) vector (outer 256, C 64, inner 1024).
// Forward reads a, writes out (b is 64 floats); backward writes da = dout b and db = sum dout a
// (the deterministic channel_sums): compulsory traffic read dout, a, write da.
void BM_cuda_mul_per_channel_fwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = device_tensor({64}, 2), c = zeros({kAct}, Device::CUDA);
  time_loop(state, [&] { cuda::mul_forward(c.data(), a.data(), b.data(), kBatch, 64, 32 * 32); });
  set_bytes(state, 2.0 * kAct * 4);
}
BENCHMARK(BM_cuda_mul_per_channel_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_mul_per_channel_bwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  Tensor a = device_tensor({kAct}, 1), b = device_tensor({64}, 2), g = device_tensor({kAct}, 3);
  Tensor da = zeros({kAct}, Device::CUDA), db = zeros({64}, Device::CUDA);
  time_loop(state, [&] {
    cuda::mul_backward(da.data(), db.data(), g.data(), a.data(), b.data(), kBatch, 64, 32 * 32);
  });
  set_bytes(state, 3.0 * kAct * 4);
}
BENCHMARK(BM_cuda_mul_per_channel_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_adam_resnet18(benchmark::State& state) {  // one step over ResNet18's 11.2 M parameters
  if (!require_gpu(state)) return;
  const int64_t n = 11'200'000;
  Tensor p = device_tensor({n}, 1), g = device_tensor({n}, 2), m = zeros({n}, Device::CUDA), v = zeros({n}, Device::CUDA);
  time_loop(state, [&] {
    cuda::adam_update(p.data(), m.data(), v.data(), g.data(), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, false, 0.1f, 0.05f);
  });
  set_bytes(state, 7.0 * n * 4);  // read p, g, m, v; write p, m, v
}
BENCHMARK(BM_cuda_adam_resnet18)->UseManualTime()->Unit(benchmark::kMicrosecond);

// One SGD step with momentum (and weight decay) over ResNet18's 11.2 M parameters: read p, g,
// buf; write p, buf.
void BM_cuda_sgd_momentum_resnet18(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t n = 11'200'000;
  Tensor p = device_tensor({n}, 1), g = device_tensor({n}, 2), buf = device_tensor({n}, 3);
  time_loop(state, [&] {
    cuda::sgd_update(p.data(), buf.data(), g.data(), n, 1e-3f, 0.9f, 0.0f, 5e-4f, false, false, 1.0f);
  });
  set_bytes(state, 5.0 * n * 4);
}
BENCHMARK(BM_cuda_sgd_momentum_resnet18)->UseManualTime()->Unit(benchmark::kMicrosecond);

// sum of squares of the same 11.2 M values (LARS norms; cub::DeviceReduce in double, then the
// result is copied to the host, which synchronizes: that round trip is part of the op): read n.
void BM_cuda_sum_squares_resnet18(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t n = 11'200'000;
  Tensor x = device_tensor({n}, 1);
  double s = 0.0;
  time_loop(state, [&] { s = cuda::sum_squares(x.data(), n); });
  benchmark::DoNotOptimize(s);
  set_bytes(state, 1.0 * n * 4);
}
BENCHMARK(BM_cuda_sum_squares_resnet18)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_cross_entropy(benchmark::State& state) {  // (256, 10) logits, forward + backward
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, K = 10;
  Tensor logits = device_tensor({N, K}, 1), lse = zeros({N}, Device::CUDA), loss = zeros({1}, Device::CUDA);
  Tensor dlogits = zeros({N, K}, Device::CUDA), dloss = ones({1}, Device::CUDA);
  std::vector<int32_t> lab(N);
  for (int64_t i = 0; i < N; ++i) lab[i] = static_cast<int32_t>(i % K);
  Tensor labels = from_vector_i32(lab, {N}, Device::CUDA);
  time_loop(state, [&] {
    cuda::cross_entropy_forward(loss.data(), lse.data(), logits.data(), labels.data_i32(), N, K);
    cuda::cross_entropy_backward(dlogits.data(), dloss.data(), logits.data(), labels.data_i32(), lse.data(), N, K);
  });
  set_bytes(state, 2.0 * N * K * 4);
}
BENCHMARK(BM_cuda_cross_entropy)->UseManualTime()->Unit(benchmark::kMicrosecond);

// NT-Xent (SimCLR, 2 N = 512 rows of D = 128) forward + backward; TFLOP/s counts its GEMMs:
// S (R R D 2 flops) and dz = (dS + dS^T) z (2 R R D 2 flops).
void BM_cuda_nt_xent(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, D = 128, R = 2 * N;
  Tensor z1 = device_tensor({N, D}, 1, -0.1f, 0.1f), z2 = device_tensor({N, D}, 2, -0.1f, 0.1f);
  Tensor dS = zeros({R, R}, Device::CUDA), loss = zeros({1}, Device::CUDA);
  Tensor dz1 = zeros({N, D}, Device::CUDA), dz2 = zeros({N, D}, Device::CUDA), dloss = ones({1}, Device::CUDA);
  time_loop(state, [&] {
    cuda::nt_xent_forward(loss.data(), dS.data(), z1.data(), z2.data(), N, D, 0.5f);
    cuda::nt_xent_backward(dz1.data(), dz2.data(), dloss.data(), z1.data(), z2.data(), dS.data(), N, D, 0.5f);
  });
  set_flops(state, 3.0 * 2.0 * R * R * D);
}
BENCHMARK(BM_cuda_nt_xent)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The reference's cross-view loss (the one SimCLR training uses), N = 256, D = 128: 3 N N D GEMMs.
void BM_cuda_nt_xent_cross_view(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, D = 128;
  Tensor e1 = device_tensor({N, D}, 1, -0.1f, 0.1f), e2 = device_tensor({N, D}, 2, -0.1f, 0.1f);
  Tensor dS = zeros({N, N}, Device::CUDA), loss = zeros({1}, Device::CUDA);
  Tensor de1 = zeros({N, D}, Device::CUDA), de2 = zeros({N, D}, Device::CUDA), dloss = ones({1}, Device::CUDA);
  time_loop(state, [&] {
    cuda::nt_xent_cross_view_forward(loss.data(), dS.data(), e1.data(), e2.data(), N, D, 0.1f);
    cuda::nt_xent_cross_view_backward(de1.data(), de2.data(), dloss.data(), e1.data(), e2.data(), dS.data(), N, D,
                                      0.1f);
  });
  set_flops(state, 3.0 * 2.0 * N * N * D);
}
BENCHMARK(BM_cuda_nt_xent_cross_view)->UseManualTime()->Unit(benchmark::kMicrosecond);

// cuBLAS sgemm: the bound for the GEMM-based ops (conv, linear, NT-Xent), and the MLP head's linear.
void BM_cuda_sgemm(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t n = state.range(0);
  Tensor a = device_tensor({n, n}, 1), b = device_tensor({n, n}, 2), c = zeros({n, n}, Device::CUDA);
  time_loop(state, [&] { cuda::gemm(false, false, n, n, n, 1.0f, a.data(), b.data(), 0.0f, c.data()); });
  set_flops(state, 2.0 * n * n * n);
}
BENCHMARK(BM_cuda_sgemm)->Arg(1024)->Arg(4096)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_linear_mlp(benchmark::State& state) {  // (256, 512) x (512, 512)^T + bias, fwd + bwd
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, C = 512, OC = 512;
  Tensor x = device_tensor({N, C}, 1), w = device_tensor({OC, C}, 2), b = device_tensor({OC}, 3);
  Tensor y = zeros({N, OC}, Device::CUDA), dx = zeros({N, C}, Device::CUDA), dw = zeros({OC, C}, Device::CUDA),
         db = zeros({OC}, Device::CUDA);
  time_loop(state, [&] {
    cuda::linear_forward(y.data(), x.data(), w.data(), b.data(), N, C, OC);
    cuda::linear_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(), w.data(), N, C, OC);
  });
  set_flops(state, 3.0 * 2.0 * N * C * OC);
}
BENCHMARK(BM_cuda_linear_mlp)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
