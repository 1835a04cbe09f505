// reduce.cpp - differentiable sum/mean over all elements (-> shape ()) or over one dimension
// (removed from the shape). Kernels: kernels/{cpu,cuda}/reduce.*.
#include <vector>

#include "autograd/functions.h"
#include "kernels/cpu/reduce.h"
#include "kernels/ref/reduce.h"
#include "kernels/cuda/reduce.h"
#include "kernels/dispatch.h"

namespace dl {
namespace {

Tensor reduce_all(const char* op, const Tensor& x, bool is_mean) {
  DL_CHECK(x.defined(), op, ": undefined input");
  const int64_t n = x.numel();
  const float scale = is_mean ? 1.0f / static_cast<float>(n) : 1.0f;
  Tensor out = Tensor::empty(Shape{}, DType::F32, x.device());
  DL_DISPATCH(x.device(), sum_all_forward, out.data(), x.data(), n, scale);
  if (needs_grad({&x})) {
    record(op, out, {x}, [x, n, scale](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), sum_all_backward, dx.data(), dout.data(), n, scale);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

Tensor reduce_dim(const char* op, const Tensor& x, int dim, bool is_mean) {
  DL_CHECK(x.defined(), op, ": undefined input");
  const int nd = x.ndim();
  DL_CHECK(nd >= 1 && -nd <= dim && dim < nd, op, ": dim ", dim, " out of range for ", x.shape().str());
  if (dim < 0) dim += nd;
  // x as (outer, R, inner) around dim; the output shape is x's without dim.
  int64_t outer = 1, inner = 1;
  Shape out_shape;
  std::vector<int64_t> kept;
  for (int d = 0; d < nd; ++d) {
    if (d < dim) outer *= x.size(d);
    if (d > dim) inner *= x.size(d);
    if (d != dim) kept.push_back(x.size(d));
  }
  switch (kept.size()) {
    case 0: out_shape = Shape{}; break;
    case 1: out_shape = Shape{kept[0]}; break;
    case 2: out_shape = Shape{kept[0], kept[1]}; break;
    default: out_shape = Shape{kept[0], kept[1], kept[2]}; break;
  }
  const int64_t R = x.size(dim);
  const float scale = is_mean ? 1.0f / static_cast<float>(R) : 1.0f;
  Tensor out = Tensor::empty(out_shape, DType::F32, x.device());
  DL_DISPATCH(x.device(), sum_dim_forward, out.data(), x.data(), outer, R, inner, scale);
  if (needs_grad({&x})) {
    record(op, out, {x}, [x, outer, R, inner, scale](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), sum_dim_backward, dx.data(), dout.data(), outer, R, inner, scale);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce_all("sum", x, false); }
Tensor mean(const Tensor& x) { return reduce_all("mean", x, true); }
Tensor sum(const Tensor& x, int dim) { return reduce_dim("sum", x, dim, false); }
Tensor mean(const Tensor& x, int dim) { return reduce_dim("mean", x, dim, true); }

}  // namespace dl
