// strict_option.h - CLI11 options with the strict number rules of config_cli.h: an integer option
// rejects "1e9" and "2.5", an unsigned one rejects "-1", a floating-point one rejects nan and inf.
//
//   add_number(app, "--epochs", o.epochs, "probe training epochs")->capture_default_str();
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include "experiments/config_cli.h"

namespace dl::experiments {

template <typename T>
CLI::Validator strict_number() {
  const char* kind = std::is_floating_point_v<T> ? "FINITE" : std::is_unsigned_v<T> ? "UINT" : "INT";
  return CLI::Validator([](std::string& text) { return strict_number_error<T>(text); }, kind);
}

// A finite number >= 0 ("--checkpoint-minutes: '-1' is negative").
inline CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& text) {
        const std::string why = finite_error(text);
        if (!why.empty()) return why;
        return std::strtod(text.c_str(), nullptr) < 0 ? "'" + text + "' is negative; expected a number >= 0"
                                                      : std::string();
      },
      ">= 0");
}

template <typename T>
CLI::Option* add_number(CLI::App& app, const std::string& name, T& value, const std::string& help) {
  return app.add_option(name, value, help)->check(strict_number<T>());
}

}  // namespace dl::experiments
