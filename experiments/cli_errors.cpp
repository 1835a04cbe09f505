// cli_errors.cpp - see cli_errors.h.
#include "experiments/cli_errors.h"

#include <cstdio>
#include <cstdlib>

#include "tensor/error.h"

namespace dl::experiments {

bool debug_errors() {
  const char* v = std::getenv("DL_DEBUG");
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

std::string error_line(const std::string& program, const std::exception& e, bool with_location) {
  const auto* err = dynamic_cast<const Error*>(&e);
  std::string line = program + ": error: " + (err ? err->user_message() : e.what());
  if (with_location && err && !err->location().empty()) line += " [at " + err->location() + "]";
  return line;
}

int report_error(const std::string& program, const std::exception& e, int status) {
  std::fprintf(stderr, "%s\n", error_line(program, e, debug_errors()).c_str());
  return status;
}

}  // namespace dl::experiments
