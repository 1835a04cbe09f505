#include "tensor/tensor.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "tensor/error.h"

namespace dl {

std::string dtype_name(DType t) { return t == DType::F32 ? "f32" : "i32"; }

Storage::Storage(size_t n, Device d) : bytes(n), device(d) { data = backend(d).allocate(n); }
Storage::~Storage() { backend(device).deallocate(data, bytes); }

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape.numel()) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

static const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  DL_CHECK(impl != nullptr, "use of an undefined Tensor");
  return *impl;
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }
DType Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device; }

float* Tensor::data() {
  DL_CHECK(dtype() == DType::F32, "data() on a ", dtype_name(dtype()), " tensor of shape ", shape().str());
  return static_cast<float*>(impl_->storage->data) + impl_->offset;
}
const float* Tensor::data() const { return const_cast<Tensor*>(this)->data(); }
int32_t* Tensor::data_i32() {
  DL_CHECK(dtype() == DType::I32, "data_i32() on a ", dtype_name(dtype()), " tensor of shape ", shape().str());
  return static_cast<int32_t*>(impl_->storage->data) + impl_->offset;
}
const int32_t* Tensor::data_i32() const { return const_cast<Tensor*>(this)->data_i32(); }

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }
Tensor& Tensor::set_requires_grad(bool on) {
  DL_CHECK(is_leaf(), "set_requires_grad on a non-leaf tensor of shape ", shape().str(),
           " (gradients of computed tensors are decided by their inputs)");
  DL_CHECK(!on || dtype() == DType::F32, "only float tensors can require gradients");
  impl_->requires_grad = on;
  return *this;
}
Tensor Tensor::grad() const { return checked(impl_).grad; }
void Tensor::set_grad(const Tensor& g) {
  if (g.defined()) check_same_shape(*this, g, "set_grad");
  checked(impl_);
  impl_->grad = g;
}
void Tensor::zero_grad() { checked(impl_), impl_->grad = Tensor(); }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked(impl_).grad_fn; }

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = checked(impl_).storage;
  impl->offset = impl_->offset;
  impl->shape = impl_->shape;
  impl->dtype = impl_->dtype;
  return Tensor(std::move(impl));
}

Tensor Tensor::view(const Shape& s) const {
  DL_CHECK(s.numel() == numel(), "cannot view a tensor of shape ", shape().str(), " as ", s.str(),
           " (", numel(), " vs ", s.numel(), " elements)");
  Tensor t = detach();
  t.impl_->shape = s;
  return t;
}

Tensor Tensor::slice(int64_t begin, int64_t end) const {
  DL_CHECK(ndim() >= 1, "slice of a 0-d tensor");
  const int64_t rows = size(0);
  DL_CHECK(0 <= begin && begin <= end && end <= rows, "slice [", begin, ", ", end,
           ") out of range for dim 0 of shape ", shape().str());
  Tensor t = detach();
  t.impl_->shape[0] = end - begin;
  t.impl_->offset += begin * (rows ? numel() / rows : 0);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = Tensor::empty(shape(), dtype(), device());
  t.copy_(*this);
  return t;
}

Tensor Tensor::to(Device d) const {
  if (device() == d) return *this;
  Tensor t = Tensor::empty(shape(), dtype(), d);
  t.copy_(*this);
  return t;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_same_shape(*this, src, "copy_");
  DL_CHECK(dtype() == src.dtype(), "copy_ from ", dtype_name(src.dtype()), " into ", dtype_name(dtype()));
  void* dst = static_cast<char*>(impl_->storage->data) + impl_->offset * 4;
  const void* s = static_cast<const char*>(src.impl_->storage->data) + src.impl_->offset * 4;
  if (device() == src.device()) backend(device()).copy_within(dst, s, nbytes());
  else if (device() == Device::CPU) backend(src.device()).copy_to_host(dst, s, nbytes());
  else backend(device()).copy_from_host(dst, s, nbytes());
  return *this;
}

Tensor& Tensor::fill_(float value) {
  if (value == 0.0f) return zero_();
  std::vector<float> host(static_cast<size_t>(numel()));
  if (dtype() == DType::F32) std::fill(host.begin(), host.end(), value);
  else std::fill(reinterpret_cast<int32_t*>(host.data()), reinterpret_cast<int32_t*>(host.data()) + numel(),
                 static_cast<int32_t>(value));
  void* dst = static_cast<char*>(impl_->storage->data) + impl_->offset * 4;
  backend(device()).copy_from_host(dst, host.data(), nbytes());
  return *this;
}

Tensor& Tensor::zero_() {
  backend(device()).set_zero(static_cast<char*>(checked(impl_).storage->data) + impl_->offset * 4, nbytes());
  return *this;
}

float Tensor::item() const {
  DL_CHECK(numel() == 1, "item() needs a tensor with one element, got shape ", shape().str());
  return dtype() == DType::F32 ? to_vector()[0] : static_cast<float>(to_vector_i32()[0]);
}

std::vector<float> Tensor::to_vector() const {
  const Tensor host = to(Device::CPU);
  return std::vector<float>(host.data(), host.data() + numel());
}

std::vector<int32_t> Tensor::to_vector_i32() const {
  const Tensor host = to(Device::CPU);
  return std::vector<int32_t>(host.data_i32(), host.data_i32() + numel());
}

std::string Tensor::str(int max_per_dim) const {
  if (!defined()) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << shape().str() << ", " << device_name(device()) << ", " << dtype_name(dtype());
  if (requires_grad()) os << ", requires_grad";
  os << ")\n";
  const Tensor host = to(Device::CPU);
  const int nd = ndim();
  // Print as rows of the last dim; elide the middle of long dims.
  std::vector<int64_t> idx(nd, 0);
  auto value = [&](int64_t flat) {
    if (dtype() == DType::F32) os << std::setprecision(5) << host.data()[flat];
    else os << host.data_i32()[flat];
  };
  std::function<void(int, int64_t)> rec = [&](int d, int64_t base) {
    if (d == nd) return value(base);
    const int64_t n = shape()[d];
    int64_t stride = 1;
    for (int k = d + 1; k < nd; ++k) stride *= shape()[k];
    os << "[";
    for (int64_t i = 0; i < n; ++i) {
      if (n > max_per_dim && i == max_per_dim / 2) {
        os << "..., ";
        i = n - max_per_dim / 2;
      }
      rec(d + 1, base + i * stride);
      if (i + 1 < n) os << (d + 1 == nd ? ", " : ",\n ");
    }
    os << "]";
  };
  if (nd == 0) value(0);
  else rec(0, 0);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

void check_same_shape(const Tensor& a, const Tensor& b, const char* what) {
  DL_CHECK(a.shape() == b.shape(), "shape mismatch in ", what, ": ", a.shape().str(), " vs ", b.shape().str());
}

}  // namespace dl
