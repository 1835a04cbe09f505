// binary.cpp - see binary.h. Each op is three formulas, with g = dL/dout:
//   out = f(x, y),   da = g df/dx,   db = sum over (o, i) of g df/dy
// and two loops (below) apply them over the (outer, C, inner) view.
#include "kernels/ref/binary.h"

namespace dl::ref {
namespace {

// out[o, c, i] = f(a[o, c, i], b[c]).
template <typename F>
void broadcast_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner, F f) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t k = (o * C + c) * inner + i;
        out[k] = f(a[k], b[c]);
      }
}

// da[o, c, i] = dfa(g, a, b) at (o, c, i);  db[c] = sum_{o, i} dfb(g, a, b), summed in double.
template <typename DA, typename DB>
void broadcast_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                        int64_t C, int64_t inner, DA dfa, DB dfb) {
  if (da)
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t k = (o * C + c) * inner + i;
          da[k] = dfa(dout[k], a[k], b[c]);
        }
  if (db)
    for (int64_t c = 0; c < C; ++c) {
      double sum = 0.0;
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t k = (o * C + c) * inner + i;
          sum += dfb(dout[k], a[k], b[c]);
        }
      db[c] = static_cast<float>(sum);
    }
}

}  // namespace

// out = a + b;  da = g;  db = sum g.
void add_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  broadcast_forward(out, a, b, outer, C, inner, [](float x, float y) { return x + y; });
}
void add_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  broadcast_backward(da, db, dout, a, b, outer, C, inner, [](float g, float, float) { return g; },
                     [](float g, float, float) { return g; });
}

// out = a - b;  da = g;  db = -sum g.
void sub_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  broadcast_forward(out, a, b, outer, C, inner, [](float x, float y) { return x - y; });
}
void sub_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  broadcast_backward(da, db, dout, a, b, outer, C, inner, [](float g, float, float) { return g; },
                     [](float g, float, float) { return -g; });
}

// out = a b;  da = g b;  db = sum g a.
void mul_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  broadcast_forward(out, a, b, outer, C, inner, [](float x, float y) { return x * y; });
}
void mul_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  broadcast_backward(da, db, dout, a, b, outer, C, inner, [](float g, float, float y) { return g * y; },
                     [](float g, float x, float) { return g * x; });
}

// out = a / b;  da = g / b;  db = sum -g a / b^2.
void div_forward(float* out, const float* a, const float* b, int64_t outer, int64_t C, int64_t inner) {
  broadcast_forward(out, a, b, outer, C, inner, [](float x, float y) { return x / y; });
}
void div_backward(float* da, float* db, const float* dout, const float* a, const float* b, int64_t outer,
                  int64_t C, int64_t inner) {
  broadcast_backward(da, db, dout, a, b, outer, C, inner, [](float g, float, float y) { return g / y; },
                     [](float g, float x, float y) { return -g * x / (y * y); });
}

// out[i] = a[i] + s;  da[i] = dout[i].  Shapes (n).
void add_scalar_forward(float* out, const float* a, float s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + s;
}
void add_scalar_backward(float* da, const float* dout, float, int64_t n) {
  if (!da) return;
  for (int64_t i = 0; i < n; ++i) da[i] = dout[i];
}

// out[i] = a[i] s;  da[i] = dout[i] s.  Shapes (n).
void mul_scalar_forward(float* out, const float* a, float s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * s;
}
void mul_scalar_backward(float* da, const float* dout, float s, int64_t n) {
  if (!da) return;
  for (int64_t i = 0; i < n; ++i) da[i] = dout[i] * s;
}

}  // namespace dl::ref
