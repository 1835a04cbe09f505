// error.h - the one way this framework reports bad input: an exception whose message says
// what was expected and what was found (shapes, file names, flags), with file:line.
// what() is "file:line: message" (tests and developers); user_message() is the message alone,
// which the programs print (`train: error: ...`; the location too under DL_DEBUG=1).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace dl {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;  // a message without a location
  Error(const std::string& location, const std::string& message)
      : std::runtime_error(location + ": " + message), prefix_(location.size() + 2) {}
  // The message without the "file:line: " prefix.
  const char* user_message() const noexcept { return what() + prefix_; }
  // "file:line" of the DL_CHECK / DL_FAIL that threw ("" when none).
  std::string location() const { return prefix_ ? std::string(what(), prefix_ - 2) : std::string(); }

 private:
  size_t prefix_ = 0;  // length of "file:line: " at the start of what()
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
inline std::string location(const char* file, int line) { return concat(file, ":", line); }
}  // namespace detail

}  // namespace dl

// DL_CHECK(cond, "message parts", ...) throws dl::Error("file:line: message parts") when cond is false.
#define DL_CHECK(cond, ...)                                                                   \
  do {                                                                                        \
    if (!(cond))                                                                              \
      throw ::dl::Error(::dl::detail::location(__FILE__, __LINE__), ::dl::detail::concat(__VA_ARGS__)); \
  } while (0)

#define DL_FAIL(...) throw ::dl::Error(::dl::detail::location(__FILE__, __LINE__), ::dl::detail::concat(__VA_ARGS__))
