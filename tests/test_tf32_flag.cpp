// test_tf32_flag.cpp - the --tf32 setting on the CPU side (experiments/config.h): it parses bare or
// with a value, lands in the JSON, does not change what is trained (a run may resume with it
// switched), its help says it does nothing on the CPU, and on the CPU it is ignored: the same run
// with and without it trains the same bits. (Its effect on CUDA: tests/cuda/test_cuda_tf32.cpp.)
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "experiments/config.h"
#include "experiments/config_cli.h"
#include "experiments/trainer.h"
#include "tensor/safetensors.h"
#include "tests/data_fixtures.h"
#include "tests/one_thread.h"

namespace fs = std::filesystem;
using namespace dl::experiments;

namespace {

RunConfig parse(std::vector<std::string> args) {
  CLI::App app;
  ConfigOptions options(app, "smoke");
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector reversed
  app.parse(args);
  return options.build();
}

}  // namespace

TEST(Tf32Flag, ParsesBareOrWithAValue) {
  EXPECT_FALSE(parse({}).tf32);
  EXPECT_TRUE(parse({"--tf32"}).tf32);
  EXPECT_TRUE(parse({"--tf32", "--epochs", "2"}).tf32);
  EXPECT_EQ(parse({"--tf32", "--epochs", "2"}).epochs, 2);
  EXPECT_TRUE(parse({"--tf32", "true"}).tf32);
  EXPECT_FALSE(parse({"--tf32", "false"}).tf32);
  EXPECT_THROW(parse({"--tf32", "maybe"}), dl::Error);
  EXPECT_TRUE(parse({"--drop-last"}).drop_last) << "every true/false setting may be given bare";
}

TEST(Tf32Flag, InTheJsonAndFreeOnResume) {
  RunConfig c = preset("smoke");
  EXPECT_EQ(to_json(c).at("tf32"), false);
  c.tf32 = true;
  const nlohmann::json j = to_json(c);
  EXPECT_EQ(j.at("tf32"), true);
  EXPECT_TRUE(config_from_json(j).tf32);
  // Like --device, it says how the run is computed, not what is trained.
  EXPECT_EQ(resume_mismatch(preset("smoke"), c), "");
  c.device = "cpu";
  EXPECT_NO_THROW(c.validate()) << "on the CPU --tf32 is ignored, not rejected";
}

TEST(Tf32Flag, HelpSaysItDoesNothingOnTheCpu) {
  CLI::App app;
  ConfigOptions options(app, "smoke");
  const std::string help = app.help();
  const size_t at = help.find("--tf32");
  ASSERT_NE(at, std::string::npos) << help;
  EXPECT_NE(help.find("no effect on the CPU", at), std::string::npos) << help;
}

class Tf32FlagRun : public dl::test::OneThreadTest {};

TEST_F(Tf32FlagRun, IgnoredOnTheCpu) {
  DL_REQUIRE_SHARED_DATA(dl::data::DatasetKind::MNIST);
  const fs::path root = fs::temp_directory_path() / ("dl_test_tf32_" + std::to_string(::getpid()));
  fs::remove_all(root);
  TrainOptions quiet;
  quiet.progress = false;
  std::vector<dl::NamedTensors> checkpoints;
  for (const bool tf32 : {false, true}) {
    RunConfig c = preset("smoke");
    c.method = "supervised", c.dataset = "mnist", c.device = "cpu", c.tf32 = tf32;
    c.train_limit = 128, c.test_limit = 100;
    c.data_dir = dl::test::shared_data_dir(), c.out_dir = (root / (tf32 ? "on" : "off")).string();
    train(c, quiet);
    checkpoints.push_back(dl::read_safetensors(checkpoint_path(c.run_dir())));
  }
  ASSERT_EQ(checkpoints[0].tensors.size(), checkpoints[1].tensors.size());
  for (size_t i = 0; i < checkpoints[0].tensors.size(); ++i) {
    const auto& [name, a] = checkpoints[0].tensors[i];
    const dl::Tensor& b = checkpoints[1].tensors[i].second;
    if (a.dtype() != dl::DType::F32) continue;
    EXPECT_EQ(a.to_vector(), b.to_vector()) << name << " differs with --tf32 on the CPU";
  }
  fs::remove_all(root);
}
