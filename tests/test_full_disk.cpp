// test_full_disk.cpp - a checkpoint or result write that fails (a full disk, simulated with
// RLIMIT_FSIZE in a child process: writes past the limit fail with EFBIG) names the path and
// the cause, leaves the previous checkpoint byte for byte intact and no temporary file behind,
// and a training run stops with an error (the programs exit 1).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "child_process.h"
#include "data_fixtures.h"
#include "experiments/cli_errors.h"
#include "experiments/text_file.h"
#include "experiments/trainer.h"
#include "nn/checkpoint.h"
#include "nn/layers.h"
#include "tensor/safetensors.h"

using namespace dl;
using namespace dl::experiments;
namespace fs = std::filesystem;

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A 64x64 linear layer: a 17 KB checkpoint.
struct Model {
  explicit Model(uint64_t seed) : gen(seed) { model.add("fc", std::make_shared<nn::Linear>(64, 64, true, gen)); }
  Generator gen;
  nn::ModuleDict model;
};

// Lowers this process's file-size limit; a write past it fails with EFBIG instead of SIGXFSZ.
void limit_file_size(rlim_t bytes) {
  std::signal(SIGXFSZ, SIG_IGN);
  const rlimit lim{bytes, bytes};
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
}

RunConfig tiny(const std::string& out_dir, int64_t epochs) {
  RunConfig c = preset("smoke");
  c.method = "ae", c.dataset = "mnist", c.epochs = epochs, c.test_limit = 100, c.recon_images = 0;
  c.data_dir = dl::test::shared_data_dir(), c.device = "cpu", c.out_dir = out_dir;
  return c;
}

}  // namespace

TEST(FullDisk, CheckpointWriteFailureKeepsThePrevious) {
  dl::test::TempDir d;
  const std::string path = d.file("checkpoint.safetensors");
  Model first(1);
  nn::save_checkpoint(path, first.model, nullptr, {});
  const std::string before = file_bytes(path);
  ASSERT_GT(before.size(), 16000u);

  const dl::test::ChildResult child =
      dl::test::run_child_test("FullDiskChild.SaveCheckpoint", {{"DL_FD_PATH", path}});
  ASSERT_TRUE(child.exited(0)) << child.output;
  EXPECT_NE(child.output.find("error: cannot write " + path + ".tmp: File too large"), std::string::npos)
      << child.output;
  EXPECT_NE(child.output.find(path + " is unchanged"), std::string::npos) << child.output;
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  Model back(2);
  nn::load_checkpoint(path, back.model, nullptr);  // still a valid checkpoint
}

TEST(FullDiskChild, SaveCheckpoint) {
  DL_CHILD_ONLY();
  const std::string path = dl::test::child_env("DL_FD_PATH");
  limit_file_size(4096);
  Model second(2);
  try {
    nn::save_checkpoint(path, second.model, nullptr, {});
  } catch (const dl::Error& e) {
    std::fprintf(stderr, "%s\n", error_line("train", e, false).c_str());
    std::fflush(stderr);
    std::_Exit(0);
  }
  FAIL() << "the write past the file-size limit succeeded";
}

TEST(FullDisk, ResultWriteFailureNamesThePath) {
  dl::test::TempDir d;
  const std::string path = d.file("result.json");
  write_text_atomic(path, "{\"old\": true}\n");
  const dl::test::ChildResult child = dl::test::run_child_test("FullDiskChild.WriteText", {{"DL_FD_PATH", path}});
  ASSERT_TRUE(child.exited(0)) << child.output;
  EXPECT_NE(child.output.find("cannot write " + path + ".tmp: File too large"), std::string::npos) << child.output;
  EXPECT_EQ(file_bytes(path), "{\"old\": true}\n");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

TEST(FullDiskChild, WriteText) {
  DL_CHILD_ONLY();
  limit_file_size(1024);
  try {
    write_text_atomic(dl::test::child_env("DL_FD_PATH"), std::string(4096, 'x'));
  } catch (const dl::Error& e) {
    std::fprintf(stderr, "%s\n", e.user_message());
    std::fflush(stderr);
    std::_Exit(0);
  }
  FAIL() << "the write past the file-size limit succeeded";
}

// A training run whose epoch-2 checkpoint does not fit: an error naming the checkpoint, and the
// epoch-1 checkpoint intact.
TEST(FullDisk, TrainingStopsAndKeepsTheLastCheckpoint) {
  if (!dl::test::have_shared_data(dl::data::DatasetKind::MNIST)) GTEST_SKIP() << "needs the MNIST files";
  dl::test::TempDir d;
  const RunConfig one = tiny(d.file("runs"), 1);
  TrainOptions o;
  o.progress = false;
  ASSERT_TRUE(train(one, o).finished);
  const std::string ckpt = checkpoint_path(one.run_dir());
  const std::string before = file_bytes(ckpt);

  const dl::test::ChildResult child = dl::test::run_child_test(
      "FullDiskChild.Train", {{"DL_FD_DIR", d.file("runs")}, {"DL_FD_LIMIT", std::to_string(before.size() / 2)}});
  ASSERT_TRUE(child.exited(1)) << child.output;
  EXPECT_NE(child.output.find("train: error: cannot write " + ckpt + ".tmp: File too large"), std::string::npos)
      << child.output;
  EXPECT_EQ(file_bytes(ckpt), before);
  EXPECT_FALSE(fs::exists(ckpt + ".tmp"));
  EXPECT_EQ(dl::read_safetensors(ckpt).metadata.at("epoch"), "1");
}

TEST(FullDiskChild, Train) {
  DL_CHILD_ONLY();
  const RunConfig two = tiny(dl::test::child_env("DL_FD_DIR"), 2);
  limit_file_size(std::stoull(dl::test::child_env("DL_FD_LIMIT")));
  TrainOptions o;
  o.progress = false;
  o.resume = true;
  try {
    train(two, o);
  } catch (const std::exception& e) {
    std::fflush(stderr);
    std::_Exit(report_error("train", e));
  }
  FAIL() << "the run finished despite the file-size limit";
}
