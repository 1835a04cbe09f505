// config_cli.cpp - see config_cli.h.
#include "experiments/config_cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "tensor/error.h"

namespace dl::experiments {

static std::string flag_name(const std::string& key) {
  std::string s = "--" + key;
  for (char& ch : s)
    if (ch == '_') ch = '-';
  return s;
}

ConfigOptions::ConfigOptions(CLI::App& app, std::string default_preset, std::set<std::string> skip)
    : app_(&app), preset_(std::move(default_preset)) {
  app.add_option("--preset", preset_, "settings to start from: paper, cpu or smoke")
      ->check(CLI::IsMember(preset_names()))
      ->capture_default_str();
  const RunConfig defaults = preset(preset_);
  for (const ConfigField& f : config_fields()) {
    const std::string key = f.key;
    if (key == "preset" || skip.count(key)) continue;
    // The help shows the default preset's value; the preset chosen at run time may differ.
    std::string shown;
    std::visit(
        [&](auto member) {
          if constexpr (std::is_same_v<std::remove_cvref_t<decltype(defaults.*member)>, bool>)
            shown = defaults.*member ? "true" : "false";
          else if constexpr (std::is_same_v<std::remove_cvref_t<decltype(defaults.*member)>, std::string>)
            shown = defaults.*member;
          else if constexpr (std::is_floating_point_v<std::remove_cvref_t<decltype(defaults.*member)>>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(defaults.*member));
            shown = buf;
          } else
            shown = std::to_string(defaults.*member);
        },
        f.member);
    app.add_option(flag_name(key), values_[key],
                   std::string(f.help) + " [" + preset_ + ": " + (shown.empty() ? "\"\"" : shown) + "]");
  }
}

const std::map<std::string, std::string>& ConfigOptions::given() const {
  given_.clear();
  for (const auto& [key, text] : values_)
    if (app_->count(flag_name(key)) > 0) given_[key] = text;
  return given_;
}

RunConfig ConfigOptions::build() const {
  RunConfig c = preset(preset_);
  for (const auto& [key, text] : given()) set_field(c, key, text);
  c.validate();
  return c;
}

void set_field(RunConfig& c, const std::string& key, const std::string& text) {
  for (const ConfigField& f : config_fields()) {
    if (key != f.key) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_cvref_t<decltype(c.*member)>;
          if constexpr (std::is_same_v<T, std::string>) {
            c.*member = text;
          } else if constexpr (std::is_same_v<T, bool>) {
            if (text == "true" || text == "1" || text == "on" || text == "yes")
              c.*member = true;
            else if (text == "false" || text == "0" || text == "off" || text == "no")
              c.*member = false;
            else
              DL_FAIL(flag_name(key), ": expected true or false, got '", text, "'");
          } else {
            size_t used = 0;
            T v{};
            try {
              if constexpr (std::is_floating_point_v<T>)
                v = static_cast<T>(std::stod(text, &used));
              else if constexpr (std::is_unsigned_v<T>)
                v = static_cast<T>(std::stoull(text, &used));
              else
                v = static_cast<T>(std::stoll(text, &used));
            } catch (const std::exception&) {
              used = 0;
            }
            DL_CHECK(!text.empty() && used == text.size(), flag_name(key), ": '", text, "' is not a number");
            c.*member = v;
          }
        },
        f.member);
    return;
  }
  DL_FAIL("unknown setting '", key, "'");
}

}  // namespace dl::experiments
