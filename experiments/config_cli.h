// config_cli.h - RunConfig on the command line (CLI11): --preset NAME, then one flag per setting
// (--lr 1e-3, --train-limit 5000, --view-passes false, ...). The preset is applied first, then only
// the flags actually given, so `--preset cpu --epochs 2` is the cpu preset with 2 epochs.
#pragma once
#include <map>
#include <set>
#include <string>

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
  mutable std::map<std::string, std::string> given_;
};

// Sets one field from its text ("1e-3", "true", "cifar10"); error names the flag and the text.
void set_field(RunConfig& c, const std::string& key, const std::string& text);

}  // namespace dl::experiments
