// factories.cpp - ways to make a tensor: constants, host vectors, ranges, random draws.
// Random tensors are generated on the host and copied, so every device sees the same numbers.
#include <cmath>

#include "tensor/error.h"
#include "tensor/philox.h"
#include "tensor/tensor.h"

namespace dl {

Tensor zeros(const Shape& shape, Device device) {
  Tensor t = Tensor::empty(shape, DType::F32, device);
  return t.zero_(), t;
}

Tensor ones(const Shape& shape, Device device) { return full(shape, 1.0f, device); }

Tensor full(const Shape& shape, float value, Device device) {
  Tensor t = Tensor::empty(shape, DType::F32, device);
  return t.fill_(value), t;
}

Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.device()); }

Tensor from_vector(const std::vector<float>& values, const Shape& shape, Device device) {
  DL_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector: ", values.size(),
           " values for shape ", shape.str(), " (", shape.numel(), " elements)");
  Tensor t = Tensor::empty(shape, DType::F32, device);
  backend(device).copy_from_host(t.data(), values.data(), t.nbytes());
  return t;
}

Tensor from_vector_i32(const std::vector<int32_t>& values, const Shape& shape, Device device) {
  DL_CHECK(static_cast<int64_t>(values.size()) == shape.numel(), "from_vector_i32: ", values.size(),
           " values for shape ", shape.str(), " (", shape.numel(), " elements)");
  Tensor t = Tensor::empty(shape, DType::I32, device);
  backend(device).copy_from_host(t.data_i32(), values.data(), t.nbytes());
  return t;
}

Tensor arange(int64_t n, Device device) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return from_vector(v, {n}, device);
}

Tensor rand_uniform(const Shape& shape, float lo, float hi, Generator& gen, Device device) {
  const int64_t n = shape.numel();
  const uint64_t seed = gen.seed(), offset = gen.reserve(n);
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * uint_to_unit_float(philox_draw(seed, offset, i));
  return from_vector(v, shape, device);
}

Tensor rand_normal(const Shape& shape, float mean, float stddev, Generator& gen, Device device) {
  const int64_t n = shape.numel();
  const int64_t pairs = (n + 1) / 2;
  const uint64_t seed = gen.seed(), offset = gen.reserve(2 * pairs);
  std::vector<float> v(static_cast<size_t>(2 * pairs));
  for (int64_t k = 0; k < pairs; ++k) {
    const float u1 = 1.0f - uint_to_unit_float(philox_draw(seed, offset, 2 * k));  // (0, 1]
    const float u2 = uint_to_unit_float(philox_draw(seed, offset, 2 * k + 1));
    const float r = std::sqrt(-2.0f * std::log(u1)), theta = 6.2831853071795864f * u2;
    v[2 * k] = mean + stddev * r * std::cos(theta);
    v[2 * k + 1] = mean + stddev * r * std::sin(theta);
  }
  v.resize(static_cast<size_t>(n));
  return from_vector(v, shape, device);
}

Tensor concat_rows(const std::vector<Tensor>& parts) {
  DL_CHECK(!parts.empty(), "concat_rows of an empty list");
  const Tensor& first = parts[0];
  DL_CHECK(first.ndim() >= 1, "concat_rows of 0-d tensors");
  int64_t rows = 0;
  for (const Tensor& p : parts) {
    DL_CHECK(p.ndim() == first.ndim() && p.dtype() == first.dtype() && p.device() == first.device(),
             "concat_rows: part of shape ", p.shape().str(), " does not match ", first.shape().str());
    for (int d = 1; d < first.ndim(); ++d)
      DL_CHECK(p.size(d) == first.size(d), "concat_rows: part of shape ", p.shape().str(),
               " does not match ", first.shape().str(), " outside dim 0");
    rows += p.size(0);
  }
  Shape s = first.shape();
  s[0] = rows;
  Tensor out = Tensor::empty(s, first.dtype(), first.device());
  int64_t row = 0;
  for (const Tensor& p : parts) {
    out.slice(row, row + p.size(0)).copy_(p);
    row += p.size(0);
  }
  return out;
}

}  // namespace dl
