// config_cli.cpp - see config_cli.h.
#include "experiments/config_cli.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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
    CLI::Option* opt = app.add_option(flag_name(key), values_[key],
                                      std::string(f.help) + " [" + preset_ + ": " + (shown.empty() ? "\"\"" : shown) + "]");
    if (std::holds_alternative<bool RunConfig::*>(f.member)) {
      opt->expected(0, 1);  // a bare `--tf32` means `--tf32 true` (given() fills it in)
      bool_keys_.insert(key);
    }
  }
}

const std::map<std::string, std::string>& ConfigOptions::given() const {
  given_.clear();
  for (const auto& [key, text] : values_)
    if (app_->count(flag_name(key)) > 0) given_[key] = text.empty() && bool_keys_.count(key) ? "true" : text;
  return given_;
}

RunConfig ConfigOptions::build() const {
  RunConfig c = preset(preset_);
  for (const auto& [key, text] : given()) set_field(c, key, text);
  c.validate();
  return c;
}

template <typename T>
static std::string parse_whole(const std::string& text, T& v);

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
            const std::string why = strict_number_error<T>(text);
            DL_CHECK(why.empty(), flag_name(key), ": ", why);
            T v{};
            if constexpr (std::is_floating_point_v<T>)
              v = static_cast<T>(std::strtod(text.c_str(), nullptr));
            else
              (void)parse_whole(text, v);
            c.*member = v;
          }
        },
        f.member);
    return;
  }
  DL_FAIL("unknown setting '", key, "'");
}

// Whether the whole text is a number that strtod reads (so "1e9" is "not an integer" while "abc"
// is "not a number").
static bool reads_as_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  (void)std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

static std::string not_integer(const std::string& text) {
  return "'" + text + "' is not " + (reads_as_number(text) ? "an integer" : "a number");
}

// Parses the whole text as a decimal T (an optional '+'; a '-' only for signed T). Returns the
// reason it is not one, or "".
template <typename T>
static std::string parse_whole(const std::string& text, T& v) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (text.size() > 1 && text[0] == '+' && std::isdigit(static_cast<unsigned char>(text[1]))) ++begin;
  if (begin == end || !(std::isdigit(static_cast<unsigned char>(*begin)) || (*begin == '-' && std::is_signed_v<T>)))
    return not_integer(text);
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ptr != end) return not_integer(text);
  if (ec == std::errc::result_out_of_range) return "out of range";
  return ec == std::errc() ? "" : not_integer(text);
}

std::string integer_error(const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  std::string why = parse_whole(text, v);
  if (why.empty() && (v < min || v > max)) why = "out of range";
  if (why == "out of range")
    return "'" + text + "' is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  return why;
}

std::string unsigned_error(const std::string& text) {
  if (!text.empty() && text[0] == '-' && reads_as_number(text)) return "'" + text + "' is negative; expected an integer >= 0";
  uint64_t v = 0;
  const std::string why = parse_whole(text, v);
  if (why == "out of range")
    return "'" + text + "' is out of range [0, " + std::to_string(std::numeric_limits<uint64_t>::max()) + "]";
  return why;
}

std::string finite_error(const std::string& text) {
  if (!reads_as_number(text)) return "'" + text + "' is not a number";
  if (!std::isfinite(std::strtod(text.c_str(), nullptr)))
    return "'" + text + "' is not a finite number (nan and inf are not allowed)";
  return "";
}

}  // namespace dl::experiments
