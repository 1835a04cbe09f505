// bench_rows.cu - the row-wise kernels (one block per row, cub::BlockReduce inside), the sums
// (kernels/cuda/reduce.cu) and the column slice of the VAE head at model shapes (batch 256), in
// GB/s of compulsory traffic; the reference is the copy bound (BM_cuda_copy_bound in
// bench_kernels.cu; tools/gpu_check.sh prints the ratio).
#include "benchmarks/cuda/bench_util.cuh"
#include "kernels/cuda/l2_normalize.h"
#include "kernels/cuda/log_softmax.h"
#include "kernels/cuda/narrow_cols.h"
#include "kernels/cuda/reduce.h"

namespace {

using namespace dl;
using namespace dl::bench;

constexpr int64_t kMapC = 64, kMapHW = 32 * 32;
constexpr int64_t kMap = kBatch * kMapC * kMapHW;  // (256, 64, 32, 32): layer1 output, 16.8 M floats

// (256, D) rows: D = 128 the SimCLR projections, D = 512 the encoder features.
void BM_cuda_l2_normalize_fwd(benchmark::State& state) {  // read x, write y (norm: N floats, ignored)
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, D = state.range(0);
  Tensor x = device_tensor({N, D}, 1), y = zeros({N, D}, Device::CUDA), norm = zeros({N}, Device::CUDA);
  time_loop(state, [&] { cuda::l2_normalize_forward(y.data(), norm.data(), x.data(), N, D, 1e-12f); });
  set_bytes(state, 2.0 * N * D * 4);
}
BENCHMARK(BM_cuda_l2_normalize_fwd)->Arg(128)->Arg(512)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_l2_normalize_bwd(benchmark::State& state) {  // read dout, y; write dinp
  if (!require_gpu(state)) return;
  const int64_t N = kBatch, D = state.range(0);
  Tensor x = device_tensor({N, D}, 1), y = zeros({N, D}, Device::CUDA), norm = zeros({N}, Device::CUDA);
  Tensor g = device_tensor({N, D}, 2), dx = zeros({N, D}, Device::CUDA);
  cuda::l2_normalize_forward(y.data(), norm.data(), x.data(), N, D, 1e-12f);  // real y and norm
  time_loop(state, [&] {
    cuda::l2_normalize_backward(dx.data(), g.data(), x.data(), y.data(), norm.data(), N, D, 1e-12f);
  });
  set_bytes(state, 3.0 * N * D * 4);
}
BENCHMARK(BM_cuda_l2_normalize_bwd)->Arg(128)->Arg(512)->UseManualTime()->Unit(benchmark::kMicrosecond);

// (N, D) = (256, 10) the classifier logits, (512, 512) the SimCLR similarity rows.
void BM_cuda_log_softmax_fwd(benchmark::State& state) {  // read x, write y
  if (!require_gpu(state)) return;
  const int64_t N = state.range(0), D = state.range(1);
  Tensor x = device_tensor({N, D}, 1), y = zeros({N, D}, Device::CUDA);
  time_loop(state, [&] { cuda::log_softmax_forward(y.data(), x.data(), N, D); });
  set_bytes(state, 2.0 * N * D * 4);
}
BENCHMARK(BM_cuda_log_softmax_fwd)->Args({256, 10})->Args({512, 512})->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_log_softmax_bwd(benchmark::State& state) {  // read dout, y; write dinp
  if (!require_gpu(state)) return;
  const int64_t N = state.range(0), D = state.range(1);
  Tensor x = device_tensor({N, D}, 1), y = zeros({N, D}, Device::CUDA), g = device_tensor({N, D}, 2);
  Tensor dx = zeros({N, D}, Device::CUDA);
  cuda::log_softmax_forward(y.data(), x.data(), N, D);
  time_loop(state, [&] { cuda::log_softmax_backward(dx.data(), g.data(), y.data(), N, D); });
  set_bytes(state, 3.0 * N * D * 4);
}
BENCHMARK(BM_cuda_log_softmax_bwd)->Args({256, 10})->Args({512, 512})->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_sum_all_fwd(benchmark::State& state) {  // the whole (256, 64, 32, 32) map: read n
  if (!require_gpu(state)) return;
  Tensor x = device_tensor({kMap}, 1), out = zeros({1}, Device::CUDA);
  time_loop(state, [&] { cuda::sum_all_forward(out.data(), x.data(), kMap, 1.0f); });
  set_bytes(state, 1.0 * kMap * 4);
}
BENCHMARK(BM_cuda_sum_all_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_sum_all_bwd(benchmark::State& state) {  // dinp = scale dout[0]: write n
  if (!require_gpu(state)) return;
  Tensor dout = ones({1}, Device::CUDA), dx = zeros({kMap}, Device::CUDA);
  time_loop(state, [&] { cuda::sum_all_backward(dx.data(), dout.data(), kMap, 1.0f); });
  set_bytes(state, 1.0 * kMap * 4);
}
BENCHMARK(BM_cuda_sum_all_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Arg 0: contiguous rows, the (256, 64, 32, 32) map summed over H W (one block per (n, c) row);
// Arg 1: columns, the (256, 512) features summed over the batch (one thread per column).
void BM_cuda_sum_dim_fwd(benchmark::State& state) {  // read the input, write the (smaller) output
  if (!require_gpu(state)) return;
  const bool rows = state.range(0) == 0;
  const int64_t outer = rows ? kBatch * kMapC : 1, R = rows ? kMapHW : kBatch, inner = rows ? 1 : 512;
  Tensor x = device_tensor({outer * R * inner}, 1), out = zeros({outer * inner}, Device::CUDA);
  time_loop(state, [&] { cuda::sum_dim_forward(out.data(), x.data(), outer, R, inner, 1.0f); });
  set_bytes(state, (outer * R * inner + outer * inner) * 4.0);
  state.SetLabel(rows ? "rows (16384, 1024) -> 16384" : "columns (256, 512) -> 512");
}
BENCHMARK(BM_cuda_sum_dim_fwd)->Arg(0)->Arg(1)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_sum_dim_bwd(benchmark::State& state) {  // (16384) -> (16384, 1024): read n / R, write n
  if (!require_gpu(state)) return;
  const int64_t outer = kBatch * kMapC, R = kMapHW;
  Tensor dout = device_tensor({outer}, 1), dx = zeros({kMap}, Device::CUDA);
  time_loop(state, [&] { cuda::sum_dim_backward(dx.data(), dout.data(), outer, R, 1, 1.0f); });
  set_bytes(state, (kMap + outer) * 4.0);
}
BENCHMARK(BM_cuda_sum_dim_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The VAE head's (256, 256) output split into mu | logvar, (256, 128) each: logvar = columns
// [128, 256). Forward reads and writes N w floats; backward zero-fills the (N, D) gradient and
// copies the N w block into it.
constexpr int64_t kStatsD = 256, kLatentW = 128;

void BM_cuda_narrow_cols_fwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch;
  Tensor stats = device_tensor({N, kStatsD}, 1), out = zeros({N, kLatentW}, Device::CUDA);
  time_loop(state, [&] { cuda::narrow_cols_forward(out.data(), stats.data(), N, kStatsD, kLatentW, kLatentW); });
  set_bytes(state, 2.0 * N * kLatentW * 4);
}
BENCHMARK(BM_cuda_narrow_cols_fwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_cuda_narrow_cols_bwd(benchmark::State& state) {
  if (!require_gpu(state)) return;
  const int64_t N = kBatch;
  Tensor dout = device_tensor({N, kLatentW}, 1), dstats = zeros({N, kStatsD}, Device::CUDA);
  time_loop(state, [&] {
    cuda::narrow_cols_backward(dstats.data(), dout.data(), N, kStatsD, kLatentW, kLatentW);
  });
  set_bytes(state, (N * kStatsD + N * kLatentW) * 4.0);
}
BENCHMARK(BM_cuda_narrow_cols_bwd)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
