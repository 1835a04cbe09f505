// test_cli_flags.cpp - flags that cannot be misread (experiments/config_cli.h, strict_option.h):
// integers accept only integers, unsigned values reject negatives, floating-point values reject
// nan and inf, limits beyond the data warn (experiments/data_limits.h); and the programs' error
// line carries the message without the source location (experiments/cli_errors.h).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "experiments/cli_errors.h"
#include "experiments/config_cli.h"
#include "experiments/data_limits.h"
#include "experiments/strict_option.h"
#include "tensor/error.h"

using namespace dl::experiments;

namespace {

// The dl::Error message of set_field(key, text), or "" when it is accepted.
std::string set_error(const std::string& key, const std::string& text) {
  RunConfig c = preset("smoke");
  try {
    set_field(c, key, text);
  } catch (const dl::Error& e) {
    return e.user_message();
  }
  return "";
}

}  // namespace

TEST(CliFlags, IntegersAcceptOnlyIntegers) {
  EXPECT_EQ(set_error("epochs", "1e9"), "--epochs: '1e9' is not an integer");
  EXPECT_EQ(set_error("epochs", "2.5"), "--epochs: '2.5' is not an integer");
  EXPECT_EQ(set_error("epochs", "two"), "--epochs: 'two' is not a number");
  EXPECT_EQ(set_error("epochs", ""), "--epochs: '' is not a number");
  EXPECT_EQ(set_error("epochs", " 3"), "--epochs: ' 3' is not a number");
  EXPECT_EQ(set_error("epochs", "3 "), "--epochs: '3 ' is not a number");
  EXPECT_EQ(set_error("epochs", "0x10"), "--epochs: '0x10' is not an integer");
  EXPECT_EQ(set_error("epochs", "99999999999999999999"),
            "--epochs: '99999999999999999999' is out of range [-9223372036854775808, 9223372036854775807]");
  // loader_threads is an int: the int range applies.
  EXPECT_EQ(set_error("loader_threads", "3000000000"), "--loader-threads: '3000000000' is out of range [-2147483648, 2147483647]");

  RunConfig c = preset("smoke");
  set_field(c, "epochs", "7");
  EXPECT_EQ(c.epochs, 7);
  set_field(c, "epochs", "+8");
  EXPECT_EQ(c.epochs, 8);
  set_field(c, "inject_nan_step", "-1");
  EXPECT_EQ(c.inject_nan_step, -1);
}

TEST(CliFlags, UnsignedRejectsNegatives) {
  EXPECT_EQ(set_error("seed", "-1"), "--seed: '-1' is negative; expected an integer >= 0");
  EXPECT_EQ(set_error("seed", "-0.5"), "--seed: '-0.5' is negative; expected an integer >= 0");
  EXPECT_EQ(set_error("seed", "1.5"), "--seed: '1.5' is not an integer");
  EXPECT_EQ(set_error("seed", "18446744073709551616"),
            "--seed: '18446744073709551616' is out of range [0, 18446744073709551615]");
  RunConfig c = preset("smoke");
  set_field(c, "seed", "18446744073709551615");
  EXPECT_EQ(c.seed, 18446744073709551615ull);
}

TEST(CliFlags, FloatsMustBeFinite) {
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999"})
    EXPECT_EQ(set_error("vae_beta", bad), std::string("--vae-beta: '") + bad + "' is not a finite number (nan and inf are not allowed)")
        << bad;
  EXPECT_EQ(set_error("lr", "fast"), "--lr: 'fast' is not a number");
  EXPECT_EQ(set_error("lr", "1e-3x"), "--lr: '1e-3x' is not a number");
  RunConfig c = preset("smoke");
  set_field(c, "lr", "1e-3");
  EXPECT_EQ(c.lr, 1e-3);
  set_field(c, "tau", ".5");
  EXPECT_EQ(c.tau, 0.5);
}

TEST(CliFlags, ConfigOptionsRejectOnBuild) {
  CLI::App app;
  ConfigOptions options(app, "smoke");
  app.parse(std::vector<std::string>{"1e9", "--epochs"});  // CLI11 takes the vector reversed
  try {
    (void)options.build();
    FAIL() << "--epochs 1e9 was accepted";
  } catch (const dl::Error& e) {
    EXPECT_STREQ(e.user_message(), "--epochs: '1e9' is not an integer");
  }
}

TEST(CliFlags, StrictOptionsOfTheMains) {
  CLI::App app;
  int64_t epochs = 0;
  uint64_t seed = 0;
  double lr = 0;
  int rows = 0;
  add_number(app, "--epochs", epochs, "");
  add_number(app, "--seed", seed, "");
  add_number(app, "--lr", lr, "");
  add_number(app, "--rows", rows, "");
  double minutes = 10;
  add_number(app, "--checkpoint-minutes", minutes, "")->check(non_negative());
  auto parse = [&](std::vector<std::string> args) -> std::string {
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(parse({"--epochs", "1e9"}).find("'1e9' is not an integer"), std::string::npos);
  EXPECT_NE(parse({"--seed", "-1"}).find("'-1' is negative"), std::string::npos);
  EXPECT_NE(parse({"--lr", "nan"}).find("is not a finite number"), std::string::npos);
  EXPECT_NE(parse({"--lr", "inf"}).find("is not a finite number"), std::string::npos);
  EXPECT_NE(parse({"--rows", "4294967296"}).find("out of range"), std::string::npos);
  EXPECT_NE(parse({"--checkpoint-minutes", "-1"}).find("'-1' is negative; expected a number >= 0"), std::string::npos);
  EXPECT_NE(parse({"--checkpoint-minutes", "nan"}).find("is not a finite number"), std::string::npos);
  EXPECT_EQ(parse({"--checkpoint-minutes", "0.5"}), "");
  EXPECT_EQ(minutes, 0.5);
  EXPECT_EQ(parse({"--epochs", "12", "--seed", "5", "--lr", "0.25", "--rows", "3"}), "");
  EXPECT_EQ(epochs, 12);
  EXPECT_EQ(seed, 5u);
  EXPECT_EQ(lr, 0.25);
  EXPECT_EQ(rows, 3);
}

TEST(CliFlags, LimitsBeyondTheDataWarn) {
  auto images = [](int64_t n) {
    auto d = std::make_shared<dl::data::Dataset>();
    d->labels.assign(static_cast<size_t>(n), 0);
    return std::shared_ptr<const dl::data::Dataset>(d);
  };
  RunData data;
  data.train = images(49000);  // what head_subset leaves of a 49,000-image split
  data.test = images(10000);
  RunConfig c = preset("smoke");
  c.dataset = "cifar10";
  c.train_limit = 100000;
  c.test_limit = 20000;
  const std::vector<std::string> w = limit_warnings(c, data);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0], "--train-limit 100000 is more than the 49000 images of the cifar10 training split; using all 49000");
  EXPECT_EQ(w[1], "--test-limit 20000 is more than the 10000 images of the cifar10 test set; using all 10000");
  c.train_limit = 49000, c.test_limit = 0;
  EXPECT_TRUE(limit_warnings(c, data).empty());
}

TEST(CliErrors, MessageWithoutTheSourceLocation) {
  try {
    DL_FAIL("data/mnist: truncated file ", 42);
  } catch (const dl::Error& e) {
    EXPECT_STREQ(e.user_message(), "data/mnist: truncated file 42");
    EXPECT_NE(e.location().find("test_cli_flags.cpp:"), std::string::npos);
    EXPECT_EQ(std::string(e.what()), e.location() + ": data/mnist: truncated file 42");  // tests keep the location
    EXPECT_EQ(error_line("train", e, false), "train: error: data/mnist: truncated file 42");
    EXPECT_EQ(error_line("train", e, true), "train: error: data/mnist: truncated file 42 [at " + e.location() + "]");
  }
  const dl::Error plain("no location");
  EXPECT_STREQ(plain.user_message(), "no location");
  EXPECT_EQ(plain.location(), "");
  EXPECT_EQ(error_line("table1", std::runtime_error("disk"), true), "table1: error: disk");
}

TEST(CliErrors, DebugEnvironmentVariable) {
  const char* old = std::getenv("DL_DEBUG");
  const std::string saved = old ? old : "";
  ::unsetenv("DL_DEBUG");
  EXPECT_FALSE(debug_errors());
  ::setenv("DL_DEBUG", "0", 1);
  EXPECT_FALSE(debug_errors());
  ::setenv("DL_DEBUG", "1", 1);
  EXPECT_TRUE(debug_errors());
  if (old)
    ::setenv("DL_DEBUG", saved.c_str(), 1);
  else
    ::unsetenv("DL_DEBUG");
}
