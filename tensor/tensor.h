// tensor.h - the Tensor: a reference-counted handle to a contiguous block of float32 (or int32)
// values in NCHW order on one device, plus the autograd bookkeeping (requires_grad, grad,
// grad_fn). Copying a Tensor copies the handle, not the data; views (reshape, slice) share
// the storage.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/generator.h"
#include "tensor/shape.h"

namespace dl {

enum class DType { F32, I32 };
std::string dtype_name(DType t);
inline size_t dtype_size(DType) { return 4; }

// A block of device memory, freed through its device's backend when the last view is gone.
struct Storage {
  Storage(size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data = nullptr;
  size_t bytes = 0;
  Device device = Device::CPU;
};

struct Node;  // autograd/tape.h
struct TensorImpl;

class Tensor {
 public:
  Tensor() = default;  // undefined: holds nothing
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Uninitialized contents; prefer zeros() unless every element is written.
  static Tensor empty(const Shape& shape, DType dtype = DType::F32, Device device = Device::CPU);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int ndim() const { return shape().ndim(); }
  int64_t size(int dim) const { return shape()[dim]; }
  int64_t numel() const { return shape().numel(); }
  DType dtype() const;
  Device device() const;
  size_t nbytes() const { return static_cast<size_t>(numel()) * 4; }

  // Raw pointers to the first element (on the tensor's device). Type-checked against dtype.
  float* data();
  const float* data() const;
  int32_t* data_i32();
  const int32_t* data_i32() const;

  // --- autograd -------------------------------------------------------------------------
  bool requires_grad() const;
  Tensor& set_requires_grad(bool on = true);  // leaves only
  Tensor grad() const;                         // undefined until a backward reaches this tensor
  void set_grad(const Tensor& g);
  void zero_grad();                            // drops .grad (the next backward writes it anew)
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const { return grad_fn() == nullptr; }
  Tensor detach() const;  // same storage, no history: the stop-gradient
  void backward(const Tensor& seed = Tensor()) const;  // see autograd/tape.h

  // --- copies and views (no history recorded; differentiable versions are in autograd) -----
  Tensor view(const Shape& shape) const;           // same storage, numel must match
  Tensor slice(int64_t begin, int64_t end) const;  // rows [begin, end) of dim 0, same storage
  Tensor clone() const;                            // new storage, same device
  Tensor to(Device device) const;                  // a copy unless already there
  Tensor& copy_(const Tensor& src);                // same shape and dtype; any devices
  Tensor& fill_(float value);
  Tensor& zero_();

  float item() const;  // the single value of a 1-element tensor, copied to the host
  std::vector<float> to_vector() const;
  std::vector<int32_t> to_vector_i32() const;
  std::string str(int max_per_dim = 6) const;  // "Tensor(shape=(2, 3), cpu, f32)\n[[...]]"

  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  bool same(const Tensor& o) const { return impl_ == o.impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  DType dtype = DType::F32;
  bool requires_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// --- factories ------------------------------------------------------------------------------
Tensor zeros(const Shape& shape, Device device = Device::CPU);
Tensor ones(const Shape& shape, Device device = Device::CPU);
Tensor full(const Shape& shape, float value, Device device = Device::CPU);
Tensor zeros_like(const Tensor& t);
Tensor from_vector(const std::vector<float>& values, const Shape& shape, Device device = Device::CPU);
Tensor from_vector_i32(const std::vector<int32_t>& values, const Shape& shape,
                       Device device = Device::CPU);
Tensor arange(int64_t n, Device device = Device::CPU);  // 0, 1, ..., n-1 as float
// Element i is Philox draw i of the generator's stream (see tensor/philox.h): identical on
// every device. normal uses Box-Muller on draws (2k, 2k+1) for elements 2k and 2k+1.
Tensor rand_uniform(const Shape& shape, float lo, float hi, Generator& gen = default_generator(),
                    Device device = Device::CPU);
Tensor rand_normal(const Shape& shape, float mean, float stddev,
                   Generator& gen = default_generator(), Device device = Device::CPU);
// Concatenate along dim 0; all other dims, dtype and device must agree (no history recorded).
Tensor concat_rows(const std::vector<Tensor>& parts);

// "Shape mismatch in <what>: a (2, 3) vs b (3, 2)" when shapes differ.
void check_same_shape(const Tensor& a, const Tensor& b, const char* what);

}  // namespace dl
