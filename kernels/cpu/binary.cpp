// binary.cpp - add/sub/mul/div with broadcast b (see binary.h for the (outer, C, inner) view).
// One template per direction; each op is a struct of three inline formulas:
//   f(x, y) = x op y,   da = dL/dx = g df/dx,   db = dL/dy = g df/dy   (g = dL/dout)
// The loops have unit-stride inner bodies so -O3 -march=native vectorizes them; OpenMP splits
// the outermost loop above kParallelMin elements.
#include "kernels/cpu/binary.h"

#include <algorithm>

#include "kernels/cpu/deterministic_sum.h"

namespace dl::cpu {
namespace {

struct AddOp {
  static float f(float x, float y) { return x + y; }
  static float da(float g, float, float) { return g; }
  static float db(float g, float, float) { return g; }
};
struct SubOp {
  static float f(float x, float y) { return x - y; }
  static float da(float g, float, float) { return g; }
  static float db(float g, float, float) { return -g; }
};
struct MulOp {
  static float f(float x, float y) { return x * y; }
  static float da(float g, float, float y) { return g * y; }
  static float db(float g, float x, float) { return g * x; }
};
struct DivOp {  // d(x/y)/dy = -x / y^2
  static float f(float x, float y) { return x / y; }
  static float da(float g, float, float y) { return g / y; }
  static float db(float g, float x, float y) { return -g * x / (y * y); }
};

// out[o, c, i] = fn(o*C*inner + c*inner + i, c) for the four layouts of binary.h. fn(index, c)
// computes one element from a[index] and b[c] (a kernel-specific formula).
template <typename Fn>
void for_each_broadcast(float* out, int64_t outer, int64_t C, int64_t inner, const Fn& fn) {
  const int64_t n = outer * C * inner;
  if (C == 1) {  // scalar b
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) out[i] = fn(i, 0);
  } else if (outer == 1 && inner == 1) {  // b of a's shape
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) out[i] = fn(i, i);
  } else if (inner == 1) {  // (N, C) rows, b along the row
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (int64_t o = 0; o < outer; ++o) {
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) out[o * C + c] = fn(o * C + c, c);
    }
  } else {  // (N, C, H*W) planes or (1, N, D) rows: b constant over each contiguous run of inner
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (int64_t r = 0; r < outer * C; ++r) {
      const int64_t c = r % C;
#pragma omp simd
      for (int64_t i = r * inner; i < (r + 1) * inner; ++i) out[i] = fn(i, c);
    }
  }
}

// db[c] = sum over o, i of term(o*C*inner + c*inner + i, c), in a fixed order per c.
template <typename Term>
void reduce_to_b(float* db, int64_t outer, int64_t C, int64_t inner, const Term& term) {
  const int64_t n = outer * C * inner;
  if (C == 1) {  // scalar b: blocked all-reduce
    db[0] = static_cast<float>(parallel_sum(n, [&](int64_t i) { return term(i, 0); }));
  } else if (outer == 1 && inner == 1) {  // nothing to reduce
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) db[i] = term(i, i);
  } else if (inner == 1) {  // (N, C): column sums, rows added in order, in double
    constexpr int64_t kCols = 256;
    const int64_t n_blocks = (C + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (int64_t blk = 0; blk < n_blocks; ++blk) {
      const int64_t c0 = blk * kCols, c1 = std::min(C, c0 + kCols);
      double acc[kCols] = {};
      for (int64_t o = 0; o < outer; ++o) {
#pragma omp simd
        for (int64_t c = c0; c < c1; ++c) acc[c - c0] += term(o * C + c, c);
      }
      for (int64_t c = c0; c < c1; ++c) db[c] = static_cast<float>(acc[c - c0]);
    }
  } else {  // planes: per c, the outer runs are added in order
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (int64_t c = 0; c < C; ++c) {
      double acc = 0.0;
      for (int64_t o = 0; o < outer; ++o) {
        const int64_t r = o * C + c;
        acc += serial_sum(r * inner, (r + 1) * inner, [&](int64_t i) { return term(i, c); });
      }
      db[c] = static_cast<float>(acc);
    }
  }
}

template <typename Op>
void binary_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  for_each_broadcast(out, outer, C, inner, [=](int64_t i, int64_t c) { return Op::f(a[i], b[c]); });
}

template <typename Op>
void binary_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                     int64_t C, int64_t inner) {
  if (da)
    for_each_broadcast(da, outer, C, inner,
                       [=](int64_t i, int64_t c) { return Op::da(dout[i], a[i], b[c]); });
  if (db)
    reduce_to_b(db, outer, C, inner, [=](int64_t i, int64_t c) { return Op::db(dout[i], a[i], b[c]); });
}

}  // namespace

void add_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  binary_forward<AddOp>(out, a, b, outer, C, inner);
}
void add_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  binary_backward<AddOp>(da, db, dout, a, b, outer, C, inner);
}
void sub_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  binary_forward<SubOp>(out, a, b, outer, C, inner);
}
void sub_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  binary_backward<SubOp>(da, db, dout, a, b, outer, C, inner);
}
void mul_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  binary_forward<MulOp>(out, a, b, outer, C, inner);
}
void mul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  binary_backward<MulOp>(da, db, dout, a, b, outer, C, inner);
}
void div_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  binary_forward<DivOp>(out, a, b, outer, C, inner);
}
void div_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  binary_backward<DivOp>(da, db, dout, a, b, outer, C, inner);
}

void add_scalar_forward(float* out, const float* a, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + s;
}
void add_scalar_backward(float* da, const float* dout, float, int64_t n) {
  if (!da) return;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) da[i] = dout[i];
}
void mul_scalar_forward(float* out, const float* a, float s, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * s;
}
void mul_scalar_backward(float* da, const float* dout, float s, int64_t n) {
  if (!da) return;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) da[i] = dout[i] * s;
}

}  // namespace dl::cpu
