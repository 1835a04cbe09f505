// shape.h - a tensor shape of up to 4 dimensions, stored inline (no heap), NCHW order.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace dl {

class Shape {
 public:
  static constexpr int kMaxDims = 4;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);

  int ndim() const { return ndim_; }
  int64_t operator[](int i) const;  // negative i counts from the back, like Python
  int64_t& operator[](int i);
  int64_t numel() const;  // product of dims; 1 for a 0-d (scalar) shape

  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }

  std::string str() const;  // "(2, 3, 4)"

  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + ndim_; }

 private:
  std::array<int64_t, kMaxDims> dims_{};
  int ndim_ = 0;
};

}  // namespace dl
