// cli_errors.h - how the programs (experiments/bin) report a failure: one line
//   train: error: <message>
// without the source location of the check that failed; with DL_DEBUG=1 in the environment the
// line also ends with "[at file:line]" for developers. dl::Error keeps both (tensor/error.h).
#pragma once
#include <exception>
#include <string>

namespace dl::experiments {

// DL_DEBUG is set to something other than "" or "0".
bool debug_errors();

// The line report_error prints, without the newline.
std::string error_line(const std::string& program, const std::exception& e, bool with_location);

// Prints error_line(program, e, debug_errors()) to stderr and returns `status` (the exit code).
int report_error(const std::string& program, const std::exception& e, int status = 1);

}  // namespace dl::experiments
