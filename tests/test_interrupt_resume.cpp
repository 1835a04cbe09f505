// test_interrupt_resume.cpp - a run killed inside an epoch loses minutes, not the epoch: a child
// process trains a tiny VAE (2 epochs of 5 batches, augmented views, the VAE's noise generator)
// and is stopped at a random step by SIGKILL (checkpoints after every step), SIGINT or SIGTERM
// (the signal itself makes the checkpoint); resuming in this process must end bit-identical to
// an uninterrupted run: every weight, buffer and Adam moment (the checkpoint checksum), the RNG
// offset and the per-epoch mean losses.
#include <gtest/gtest.h>
#include <omp.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "child_process.h"
#include "data_fixtures.h"
#include "experiments/interrupt.h"
#include "experiments/trainer.h"
#include "tensor/safetensors.h"
#include "tests/one_thread.h"
#include "tests/jsonl.h"

using namespace dl::experiments;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kStepsPerEpoch = 5, kEpochs = 2;
constexpr int64_t kSteps() { return kStepsPerEpoch * kEpochs; }

RunConfig tiny(const std::string& out_dir) {
  RunConfig c = preset("smoke");
  c.method = "vae", c.dataset = "mnist";
  c.epochs = kEpochs;
  c.train_limit = 64 * kStepsPerEpoch;
  c.test_limit = 100;
  c.recon_images = 0;
  c.data_dir = dl::test::shared_data_dir(), c.device = "cpu", c.out_dir = out_dir;
  return c;
}

TrainOptions quiet() {
  TrainOptions o;
  o.progress = false;
  return o;
}

using dl::test::read_jsonl;

// Interrupts a run in a child process at `step` with `sig`, resumes it here, compares with `straight`.
void interrupt_and_resume(const RunConfig& straight, const std::string& dir, int sig, int64_t step) {
  SCOPED_TRACE(signal_name(sig) + " at step " + std::to_string(step));
  const RunConfig c = tiny(dir);
  const dl::test::ChildResult child = dl::test::run_child_test(
      "InterruptResumeChild.Train", {{"DL_IR_DIR", dir}, {"DL_IR_SIGNAL", std::to_string(sig)},
                                     {"DL_IR_STEP", std::to_string(step)},
                                     {"DL_IR_CKPT_MINUTES", sig == SIGKILL ? "0" : "10"}});
  if (sig == SIGKILL) {
    ASSERT_TRUE(child.killed_by(SIGKILL)) << child.output;
  } else {
    ASSERT_TRUE(child.exited(128 + sig)) << child.output;
    EXPECT_NE(child.output.find(signal_name(sig) + " after step " + std::to_string(step)), std::string::npos)
        << child.output;
  }
  ASSERT_FALSE(fs::exists(result_path(c.run_dir())));
  if (sig != SIGKILL || step > 1) {  // a checkpoint inside the epoch (or at its end) was written
    const dl::NamedTensors ck = dl::read_safetensors(checkpoint_path(c.run_dir()));
    EXPECT_EQ(ck.metadata.at("step"), std::to_string(sig == SIGKILL ? step - 1 : step));
  }

  TrainOptions resume = quiet();
  resume.resume = true;
  const TrainResult r = train(c, resume);
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.steps, kSteps());
  const dl::NamedTensors a = dl::read_safetensors(checkpoint_path(straight.run_dir()));
  const dl::NamedTensors b = dl::read_safetensors(checkpoint_path(c.run_dir()));
  EXPECT_EQ(a.metadata.at("checksum"), b.metadata.at("checksum"));
  EXPECT_EQ(a.metadata.at("rng.noise.offset"), b.metadata.at("rng.noise.offset"));
  const auto ma = read_jsonl(metrics_path(straight.run_dir())), mb = read_jsonl(metrics_path(c.run_dir()));
  ASSERT_EQ(mb.size(), ma.size());
  for (size_t e = 0; e < ma.size(); ++e) {
    EXPECT_EQ(mb[e].at("epoch"), ma[e].at("epoch"));
    EXPECT_EQ(mb[e].at("train_loss"), ma[e].at("train_loss"));
    EXPECT_EQ(mb[e].at("val_acc"), ma[e].at("val_acc"));
  }
}

// The parent's runs and the child's must use one thread count for bit-identity (tests/one_thread.h).
class InterruptResume : public dl::test::OneThreadTest {};
class InterruptResumeChild : public dl::test::OneThreadTest {};

}  // namespace

TEST_F(InterruptResume, SigkillSigintSigtermMidEpochResumeBitIdentical) {
  if (!dl::test::have_shared_data(dl::data::DatasetKind::MNIST)) GTEST_SKIP() << "needs the MNIST files";
  dl::test::TempDir d;
  const RunConfig straight = tiny(d.file("straight"));
  ASSERT_TRUE(train(straight, quiet()).finished);

  std::random_device rd;
  std::mt19937 rng(rd());
  std::uniform_int_distribution<int64_t> any_step(1, kSteps() - 1);  // not after the last step: the run would finish
  const int64_t kill_step = any_step(rng), int_step = any_step(rng);
  interrupt_and_resume(straight, d.file("killed"), SIGKILL, kill_step);
  interrupt_and_resume(straight, d.file("interrupted"), SIGINT, int_step);
  interrupt_and_resume(straight, d.file("terminated"), SIGTERM, kStepsPerEpoch);  // the last batch of epoch 1
}

// The child: trains tiny() into $DL_IR_DIR and raises $DL_IR_SIGNAL after step $DL_IR_STEP.
TEST_F(InterruptResumeChild, Train) {
  DL_CHILD_ONLY();
  const int sig = std::stoi(dl::test::child_env("DL_IR_SIGNAL"));
  const int64_t step = std::stoll(dl::test::child_env("DL_IR_STEP"));
  TrainOptions o = quiet();
  o.checkpoint_minutes = std::stod(dl::test::child_env("DL_IR_CKPT_MINUTES"));
  o.after_step = [&](int64_t steps) {
    if (steps == step) std::raise(sig);
  };
  try {
    train(tiny(dl::test::child_env("DL_IR_DIR")), o);
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "%s\n", e.user_message());
    std::fflush(stderr);
    std::_Exit(e.exit_status());
  }
  FAIL() << "the run was not interrupted";
}
