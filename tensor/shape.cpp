#include "tensor/shape.h"

#include "tensor/error.h"

namespace dl {

Shape::Shape(std::initializer_list<int64_t> dims) {
  DL_CHECK(dims.size() <= kMaxDims, "a Shape has at most ", kMaxDims, " dims, got ", dims.size());
  for (int64_t d : dims) {
    DL_CHECK(d >= 0, "negative dimension ", d, " in a Shape");
    dims_[ndim_++] = d;
  }
}

int64_t Shape::operator[](int i) const {
  if (i < 0) i += ndim_;
  DL_CHECK(i >= 0 && i < ndim_, "dim ", i, " out of range for shape ", str());
  return dims_[i];
}

int64_t& Shape::operator[](int i) {
  if (i < 0) i += ndim_;
  DL_CHECK(i >= 0 && i < ndim_, "dim ", i, " out of range for shape ", str());
  return dims_[i];
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < ndim_; ++i) n *= dims_[i];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (ndim_ != o.ndim_) return false;
  for (int i = 0; i < ndim_; ++i)
    if (dims_[i] != o.dims_[i]) return false;
  return true;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < ndim_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  if (ndim_ == 1) s += ",";
  return s + ")";
}

}  // namespace dl
