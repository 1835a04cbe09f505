// test_table1_jobs.cpp - `table1 --jobs N` (experiments/table1_jobs.h): the cells trained by
// re-executed table1 processes, one thread each, give exactly the numbers of one table1 process
// on one thread; Ctrl-C reaches every job, which checkpoints, and the same call resumes to the
// same numbers; a failing job is reported with its cell and log; the table's legend lists every
// setting that departs from the reference.
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "experiments/interrupt.h"
#include "experiments/table1.h"
#include "experiments/table1_jobs.h"
#include "tests/data_fixtures.h"
#include "tests/one_thread.h"

namespace fs = std::filesystem;
using namespace dl::experiments;

#ifndef DL_TABLE1_EXE  // tests/CMakeLists.txt defines it where the table1 program is built
#define DL_TABLE1_EXE ""
#endif
#define REQUIRE_TABLE1()                                                                               \
  if (std::string(DL_TABLE1_EXE).empty()) GTEST_SKIP() << "the table1 program is not built in this configuration"

namespace {

std::string fresh_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("dl_test_table1_jobs_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

// Two smoke cells of MNIST, quiet, on the CPU.
Table1Options smoke_cells(const std::string& dir) {
  Table1Options t;
  t.preset = "smoke";
  t.methods = {"ae", "supervised"};
  t.datasets = {"mnist"};
  t.overrides = {{"data_dir", dl::test::shared_data_dir()}, {"device", "cpu"}};
  t.results_dir = dir;
  t.progress = false;
  t.figures = false;
  return t;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Table1Jobs : public dl::test::OneThreadTest {};

}  // namespace

TEST(Table1JobArguments, CarryThePresetEveryOverrideAndTheCell) {
  Table1Options t;
  t.preset = "cpu";
  t.overrides = {{"lr", "1e-3"}, {"view_passes", "false"}};
  t.results_dir = "res";
  const std::vector<std::string> a = job_arguments(t, "cifar10", "vae");
  const auto has = [&](const std::string& flag, const std::string& value) {
    for (size_t i = 0; i + 1 < a.size(); ++i)
      if (a[i] == flag && a[i + 1] == value) return true;
    return false;
  };
  EXPECT_TRUE(has("--preset", "cpu"));
  EXPECT_TRUE(has("--lr", "1e-3"));
  EXPECT_TRUE(has("--view-passes", "false"));
  EXPECT_TRUE(has("--methods", "vae"));
  EXPECT_TRUE(has("--datasets", "cifar10"));
  EXPECT_TRUE(has("--out-dir", "res/runs"));  // where the final, sequential pass looks for the runs
  EXPECT_TRUE(has("--results-dir", "res/cells/cifar10_vae"));
  t.overrides["out_dir"] = "elsewhere";
  EXPECT_TRUE([&] {
    const std::vector<std::string> b = job_arguments(t, "mnist", "ae");
    return std::count(b.begin(), b.end(), "--out-dir") == 1 && std::count(b.begin(), b.end(), "elsewhere") == 1;
  }());
}

TEST(Table1Legend, ListsEverySettingThatDepartsFromTheReference) {
  EXPECT_NE(departures_markdown(to_json(preset("paper"))).find("unchanged"), std::string::npos);
  RunConfig c = preset("paper");
  c.width = 16, c.view_passes = false;
  const std::string md = departures_markdown(to_json(c));
  EXPECT_NE(md.find("`width` 16 (reference 64)"), std::string::npos) << md;
  EXPECT_NE(md.find("`view_passes` false (reference true"), std::string::npos) << md;
  EXPECT_EQ(md.find("`epochs`"), std::string::npos) << md;  // unchanged settings are not listed
}

TEST_F(Table1Jobs, TwoJobsGiveTheNumbersOfOneProcess) {
  DL_REQUIRE_SHARED_DATA(dl::data::DatasetKind::MNIST);
  REQUIRE_TABLE1();
  const std::string dir = fresh_dir("same");
  Table1Options par = smoke_cells(dir + "/jobs");
  par.jobs = 2, par.threads_per_job = 1, par.executable = DL_TABLE1_EXE;
  const nlohmann::json a = run_table1(par);
  const nlohmann::json b = run_table1(smoke_cells(dir + "/one"));  // this process, one thread
  ASSERT_EQ(a.at("runs").size(), 2u);
  ASSERT_EQ(b.at("runs").size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const nlohmann::json &ra = a.at("runs")[i], &rb = b.at("runs")[i];
    SCOPED_TRACE(ra.at("method").get<std::string>());
    EXPECT_FALSE(ra.at("reused").get<bool>());  // trained by this table1's jobs, not found
    EXPECT_EQ(ra.at("train").at("steps"), rb.at("train").at("steps"));
    EXPECT_EQ(ra.at("faithful_val_acc"), rb.at("faithful_val_acc"));
    EXPECT_EQ(ra.at("online_test_acc"), rb.at("online_test_acc"));
    EXPECT_EQ(ra.at("standard_test_acc"), rb.at("standard_test_acc"));
    const fs::path log = fs::path(dir) / "jobs" / "logs" / ("mnist_" + ra.at("method").get<std::string>() + ".log");
    EXPECT_GT(fs::file_size(log), 0u);
  }
  EXPECT_NE(read_all((fs::path(dir) / "jobs" / "table1.md").string()).find("2 at a time (`--jobs`)"), std::string::npos);
  fs::remove_all(dir);
}

TEST_F(Table1Jobs, AFailedJobNamesItsCellAndLog) {
  DL_REQUIRE_SHARED_DATA(dl::data::DatasetKind::MNIST);
  REQUIRE_TABLE1();
  const std::string dir = fresh_dir("fail");
  Table1Options t = smoke_cells(dir);
  t.methods = {"ae"};
  t.overrides["inject_nan_step"] = "1";  // the job's loss turns NaN: it stops with status 3
  t.jobs = 2, t.threads_per_job = 1, t.executable = DL_TABLE1_EXE;
  try {
    run_table1(t);
    ADD_FAILURE() << "a failed job must fail the table";
  } catch (const dl::Error& e) {
    const std::string msg = e.user_message();
    EXPECT_NE(msg.find("mnist_ae"), std::string::npos) << msg;
    EXPECT_NE(msg.find("status 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("logs/mnist_ae.log"), std::string::npos) << msg;
  }
  fs::remove_all(dir);
}

TEST_F(Table1Jobs, CtrlCStopsEveryJobAndTheSameCallResumes) {
  DL_REQUIRE_SHARED_DATA(dl::data::DatasetKind::MNIST);
  REQUIRE_TABLE1();
  const std::string dir = fresh_dir("interrupt");
  Table1Options t = smoke_cells(dir + "/jobs");
  t.overrides["epochs"] = "3";
  t.overrides["train_limit"] = "640";  // 10 steps per epoch, 30 per run
  t.checkpoint_minutes = 0;            // a checkpoint after every step
  t.jobs = 2, t.threads_per_job = 1, t.executable = DL_TABLE1_EXE;
  const std::string runs = (fs::path(dir) / "jobs" / "runs").string() + "/";
  // Ctrl-C once both jobs have checkpointed a step and neither has finished: table1 is then still
  // waiting for its jobs, with its handler installed.
  std::thread ctrl_c([&] {
    const auto started = [&](const std::string& run) { return fs::exists(runs + run + "/checkpoint.safetensors"); };
    const auto finished = [&](const std::string& run) { return fs::exists(runs + run + "/result.json"); };
    for (int i = 0; i < 6000 && !(started("mnist_ae") && started("mnist_supervised")); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!finished("mnist_ae") && !finished("mnist_supervised")) std::raise(SIGINT);
  });
  bool interrupted = false;
  try {
    run_table1(t);
  } catch (const Interrupted& e) {
    interrupted = true;
    EXPECT_EQ(e.exit_status(), 130);
  }
  ctrl_c.join();
  ASSERT_TRUE(interrupted) << "the jobs finished before the signal; the test needs longer runs";
  EXPECT_FALSE(fs::exists(runs + "mnist_ae/result.json"));
  EXPECT_TRUE(fs::exists(runs + "mnist_ae/checkpoint.safetensors"));

  const nlohmann::json a = run_table1(t);  // the same call again: resumes both jobs
  Table1Options one = smoke_cells(dir + "/one");
  one.overrides = t.overrides;
  const nlohmann::json b = run_table1(one);  // never interrupted, this process, one thread
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(a.at("runs")[i].at("method").get<std::string>());
    EXPECT_EQ(a.at("runs")[i].at("train").at("steps"), 30);
    EXPECT_EQ(a.at("runs")[i].at("faithful_val_acc"), b.at("runs")[i].at("faithful_val_acc"));
    EXPECT_EQ(a.at("runs")[i].at("standard_test_acc"), b.at("runs")[i].at("standard_test_acc"));
  }
  fs::remove_all(dir);
}
