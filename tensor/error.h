// error.h - the one way this framework reports bad input: an exception whose message says
// what was expected and what was found (shapes, file names, flags), with file:line.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace dl {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace dl

// DL_CHECK(cond, "message parts", ...) throws dl::Error("file:line: message parts") when cond is false.
#define DL_CHECK(cond, ...)                                                                   \
  do {                                                                                        \
    if (!(cond))                                                                              \
      throw ::dl::Error(::dl::detail::concat(__FILE__, ":", __LINE__, ": ", __VA_ARGS__));    \
  } while (0)

#define DL_FAIL(...) throw ::dl::Error(::dl::detail::concat(__FILE__, ":", __LINE__, ": ", __VA_ARGS__))
