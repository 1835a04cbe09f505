// config_cli.h - RunConfig on the command line (CLI11): --preset NAME, then one flag per setting
// (--lr 1e-3, --train-limit 5000, --view-passes false, ...; a true/false setting given bare, as
// `--tf32`, is true). The preset is applied first, then only the flags actually given, so
// `--preset cpu --epochs 2` is the cpu preset with 2 epochs.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <type_traits>

#include "experiments/config.h"

namespace CLI {
class App;
}

namespace dl::experiments {

class ConfigOptions {
 public:
  // Registers --preset and every config_fields() entry except those in `skip` (e.g. a program
  // that chooses methods itself skips "method" and "dataset").
  ConfigOptions(CLI::App& app, std::string default_preset, std::set<std::string> skip = {});
  // After parsing: the preset with the given flags applied, validated.
  RunConfig build() const;
  // The flags given, as key -> text (so table1 can apply them to each run's preset).
  const std::map<std::string, std::string>& given() const;

 private:
  CLI::App* app_;
  std::string preset_;
  std::map<std::string, std::string> values_;
  std::set<std::string> bool_keys_;  // flags that may be given bare (= true)
  mutable std::map<std::string, std::string> given_;
};

// Sets one field from its text ("1e-3", "true", "cifar10"); error names the flag and the text.
void set_field(RunConfig& c, const std::string& key, const std::string& text);

// Strict numbers, so that no flag is misread: integers are whole decimal numbers in range ("1e9"
// and "2.5" are not integers), unsigned values reject a sign ("-1" would otherwise wrap to
// 18446744073709551615), floating-point values must be finite (no nan, inf). Each returns "" when
// `text` is valid, else the reason ("'1e9' is not an integer").
std::string integer_error(const std::string& text, int64_t min, int64_t max);
std::string unsigned_error(const std::string& text);
std::string finite_error(const std::string& text);

// The same rules as CLI11 validators for the mains' own options (the option's type decides).
template <typename T>
std::string strict_number_error(const std::string& text) {
  if constexpr (std::is_floating_point_v<T>)
    return finite_error(text);
  else if constexpr (std::is_unsigned_v<T>)
    return unsigned_error(text);
  else
    return integer_error(text, std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
}

}  // namespace dl::experiments
