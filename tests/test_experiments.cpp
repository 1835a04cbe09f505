// test_experiments.cpp - the experiment pipeline end to end at the smoke preset (width 4, 192
// training images, 1 epoch) on the real data: every method on both datasets through table1 (runs,
// checkpoints, metrics, reconstructions, features, both probes, table and figures), reuse of
// finished runs, bit-identical resumption of an interrupted run, NaN detection, and the config
// plumbing (presets, JSON, CLI text, resume compatibility, device selection).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/config.h"
#include "experiments/config_cli.h"
#include "experiments/probe.h"
#include "experiments/table1.h"
#include "experiments/trainer.h"
#include "nn/checkpoint.h"
#include "nn/schedule.h"
#include "tensor/safetensors.h"
#include "tests/one_thread.h"
#include "tests/jsonl.h"

namespace fs = std::filesystem;
using namespace dl::experiments;

namespace {

bool has_both(const std::string& root) { return fs::exists(root + "/mnist") && fs::exists(root + "/cifar10"); }

// <source>/../shared/data (the checkout beside shared/), else $DL_DATA_DIR (e.g. a worktree).
const std::string kDataRoot = [] {
  const std::string beside = std::string(DL_SOURCE_DIR) + "/../shared/data";
  const char* env = std::getenv("DL_DATA_DIR");
  return has_both(beside) || env == nullptr ? beside : std::string(env);
}();

bool have_data() { return has_both(kDataRoot); }

#define REQUIRE_DATA()                                                                 \
  if (!have_data()) GTEST_SKIP() << "real data not found under " << kDataRoot         \
                                 << " (needs mnist/ and cifar10/; set DL_DATA_DIR or see data/download)"

// A fresh temporary directory per test.
std::string temp_dir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("dl_test_experiments_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

RunConfig smoke(const std::string& method, const std::string& dataset, const std::string& out) {
  RunConfig c = preset("smoke");
  c.method = method, c.dataset = dataset, c.out_dir = out, c.data_dir = kDataRoot, c.device = "cpu";
  return c;
}

using dl::test::read_jsonl;

TrainOptions quiet() {
  TrainOptions o;
  o.progress = false;
  return o;
}

// The pipeline tests train on one thread (tests/one_thread.h); the config tests need no fixture.
class ExperimentsSmoke : public dl::test::OneThreadTest {};

}  // namespace

// ---- config ----------------------------------------------------------------------------------

TEST(ExperimentsConfig, PaperPresetIsTheReference) {
  const RunConfig c = preset("paper");
  EXPECT_EQ(c.width, 64);
  EXPECT_DOUBLE_EQ(c.lr, 3e-4);
  EXPECT_DOUBLE_EQ(c.beta1, 0.9);
  EXPECT_DOUBLE_EQ(c.beta2, 0.999);
  EXPECT_DOUBLE_EQ(c.adam_eps, 1e-8);
  EXPECT_DOUBLE_EQ(c.weight_decay, 0.0);
  EXPECT_EQ(c.batch_size, 256);
  EXPECT_EQ(c.epochs, 150);
  EXPECT_EQ(c.latent_dim, 128);
  EXPECT_DOUBLE_EQ(c.vae_beta, 0.1);
  EXPECT_DOUBLE_EQ(c.tau, 0.1);
  EXPECT_FALSE(c.drop_last);
  EXPECT_TRUE(c.view_passes);
  EXPECT_EQ(c.train_limit, 0);
  EXPECT_EQ(c.feature_dim(), 512);
  // The reference's bug: BatchNorm1d(hidden, out_dim) sets eps = out_dim.
  EXPECT_FLOAT_EQ(c.head_bn_eps(10), 10.0f);
  EXPECT_FLOAT_EQ(c.head_bn_eps(256), 256.0f);
  RunConfig s = c;
  s.protocol = "standard";
  EXPECT_FLOAT_EQ(s.head_bn_eps(10), 1e-5f);
}

TEST(ExperimentsConfig, JsonRoundTripAndOverrides) {
  RunConfig c = preset("cpu");
  set_field(c, "lr", "1e-3");
  set_field(c, "view_passes", "false");
  set_field(c, "dataset", "cifar10");
  set_field(c, "seed", "7");
  EXPECT_DOUBLE_EQ(c.lr, 1e-3);
  EXPECT_FALSE(c.view_passes);
  EXPECT_EQ(c.seed, 7u);
  const RunConfig back = config_from_json(to_json(c));
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_THROW(set_field(c, "lr", "fast"), dl::Error);
  EXPECT_THROW(set_field(c, "view_passes", "maybe"), dl::Error);
  EXPECT_THROW(set_field(c, "no_such_setting", "1"), dl::Error);
  EXPECT_THROW(config_from_json({{"no_such_setting", 1}}), dl::Error);
  EXPECT_THROW(preset("fast"), dl::Error);
  RunConfig bad = preset("smoke");
  bad.method = "vicreg";
  EXPECT_THROW(bad.validate(), dl::Error);
  bad = preset("smoke");
  bad.batch_size = 1;
  EXPECT_THROW(bad.validate(), dl::Error);
}

// Every cell of the cpu preset's table is a valid run: SimCLR encodes its views whatever
// view_passes says, so the preset may drop the extra passes of the other methods.
TEST(ExperimentsConfig, CpuPresetIsValidForEveryCell) {
  for (const std::string dataset : {"mnist", "cifar10"})
    for (Method m : all_methods()) {
      RunConfig c = preset("cpu");
      c.method = method_key(m), c.dataset = dataset;
      EXPECT_NO_THROW(c.validate()) << c.run_name();
    }
  RunConfig c = preset("cpu");
  c.probe_train_limit = -2;
  EXPECT_THROW(c.validate(), dl::Error);
  c.probe_train_limit = 0;
  EXPECT_EQ(probe_options(c).train_limit, 0);
}

TEST(ExperimentsConfig, ResumeCompatibility) {
  const RunConfig a = preset("smoke");
  RunConfig b = a;
  b.epochs = 5;  // more epochs: fine
  b.device = "cpu";
  EXPECT_EQ(resume_mismatch(a, b), "");
  b.lr = 1e-2;
  EXPECT_NE(resume_mismatch(a, b).find("lr"), std::string::npos);
  // Under cosine the epoch count is the schedule's length, so it may not change either.
  RunConfig cos_a = a, cos_b = a;
  cos_a.lr_schedule = cos_b.lr_schedule = "cosine";
  cos_b.epochs = a.epochs + 1;
  EXPECT_NE(resume_mismatch(cos_a, cos_b).find("epochs"), std::string::npos);
  RunConfig bad = a;
  bad.lr_schedule = "step";
  EXPECT_THROW(bad.validate(), dl::Error);
  bad = a;
  bad.lr_schedule = "cosine", bad.warmup_epochs = double(a.epochs);
  EXPECT_THROW(bad.validate(), dl::Error);
}

TEST(ExperimentsConfig, CudaWithoutGpuIsAClearError) {
  if (dl::device_available(dl::Device::CUDA)) GTEST_SKIP() << "a GPU is available here";
  EXPECT_EQ(resolve_device("auto"), dl::Device::CPU);
  EXPECT_THROW(resolve_device("cuda"), dl::Error);
  EXPECT_THROW(resolve_device("tpu"), dl::Error);
}

// ---- end to end --------------------------------------------------------------------------------

TEST_F(ExperimentsSmoke, Table1AllMethodsBothDatasets) {
  REQUIRE_DATA();
  const std::string dir = temp_dir("table1");
  Table1Options t;
  t.preset = "smoke";
  t.overrides = {{"data_dir", kDataRoot}, {"device", "cpu"}};
  t.results_dir = dir;
  t.progress = false;
  t.tsne_iters = 300;
  const nlohmann::json doc = run_table1(t);
  ASSERT_EQ(doc.at("runs").size(), 8u);
  for (const nlohmann::json& r : doc.at("runs")) {
    const std::string run_dir = r.at("train").at("run_dir");
    const std::string name = r.at("dataset").get<std::string>() + "_" + r.at("method").get<std::string>();
    SCOPED_TRACE(name);
    EXPECT_TRUE(fs::exists(checkpoint_path(run_dir)));
    EXPECT_TRUE(fs::exists(run_dir + "/config.json"));
    EXPECT_TRUE(fs::exists(run_dir + "/probe.json"));
    const auto metrics = read_jsonl(metrics_path(run_dir));
    ASSERT_EQ(metrics.size(), 1u);
    EXPECT_EQ(metrics[0].at("val_images"), 1000);
    EXPECT_EQ(metrics[0].at("test_images"), 200);
    EXPECT_TRUE(std::isfinite(metrics[0].at("train_loss").get<double>()));
    const double val = r.at("faithful_val_acc"), test = r.at("standard_test_acc");
    EXPECT_GE(val, 0.0);
    EXPECT_LE(val, 100.0);
    EXPECT_GE(test, 0.0);
    EXPECT_LE(test, 100.0);
    const bool decoder = r.at("method") == "ae" || r.at("method") == "vae";
    EXPECT_EQ(fs::exists(recon_path(run_dir)), decoder);
    const dl::NamedTensors f = dl::read_safetensors(features_path(run_dir));
    EXPECT_EQ(f.at("features").shape(), dl::Shape({1000, 32}));  // 8 * width 4
    EXPECT_EQ(f.at("labels").dtype(), dl::DType::I32);
    EXPECT_EQ(f.at("labels").shape(), dl::Shape({1000}));
  }
  // 1 epoch of 192 images at batch 64 = 3 steps.
  EXPECT_EQ(doc.at("runs")[0].at("train").at("steps"), 3);
  const std::string md = [&] {
    std::ifstream in(dir + "/table1.md");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  EXPECT_NE(md.find("| MNIST | paper | 98.3 | 97.8 | 98.5 | 99.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| CIFAR10 | paper | 55.6 | 54.5 | 81.9 | 83.2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("ours, online probe (val)"), std::string::npos);
  EXPECT_NE(md.find("ours, post-hoc probe (test)"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir + "/table1.json"));
  for (const std::string d : {"mnist", "cifar10"}) {
    EXPECT_GT(fs::file_size(dir + "/fig_" + d + ".png"), 1000u) << d;
    EXPECT_GT(fs::file_size(dir + "/fig_" + d + ".svg"), 1000u) << d;
    EXPECT_GT(fs::file_size(dir + "/curves_" + d + ".png"), 1000u) << d;
    EXPECT_NE(md.find("](curves_" + d + ".png)"), std::string::npos) << md;
  }

  // Running the table again reuses every finished run and probe.
  Table1Options again = t;
  again.figures = false;
  again.methods = {"ae"};
  again.datasets = {"mnist"};
  const nlohmann::json doc2 = run_table1(again);
  ASSERT_EQ(doc2.at("runs").size(), 1u);
  EXPECT_TRUE(doc2.at("runs")[0].at("reused").get<bool>());
  EXPECT_EQ(doc2.at("runs")[0].at("standard_test_acc"), doc.at("runs")[0].at("standard_test_acc"));
  fs::remove_all(dir);
}

// An interrupted 2-epoch run, resumed, ends bit-identical to an uninterrupted one (VAE: also the
// sampling generator must be restored).
TEST_F(ExperimentsSmoke, ResumeContinuesExactly) {
  REQUIRE_DATA();
  const std::string dir = temp_dir("resume");
  RunConfig a = smoke("vae", "mnist", dir + "/straight");
  a.epochs = 2;
  const TrainResult ra = train(a, quiet());
  ASSERT_TRUE(ra.finished);

  RunConfig b = a;
  b.out_dir = dir + "/interrupted";
  TrainOptions first = quiet();
  first.stop_after_epochs = 1;  // "killed" after the first epoch's checkpoint
  const TrainResult r1 = train(b, first);
  EXPECT_FALSE(r1.finished);
  EXPECT_EQ(r1.epochs_done, 1);
  EXPECT_FALSE(fs::exists(result_path(b.run_dir())));
  TrainOptions resume = quiet();
  resume.resume = true;
  const TrainResult rb = train(b, resume);
  ASSERT_TRUE(rb.finished);
  EXPECT_FALSE(rb.reused);
  EXPECT_EQ(rb.steps, ra.steps);
  EXPECT_EQ(rb.val_acc, ra.val_acc);
  EXPECT_EQ(rb.test_acc, ra.test_acc);

  const dl::NamedTensors ca = dl::read_safetensors(checkpoint_path(a.run_dir()));
  const dl::NamedTensors cb = dl::read_safetensors(checkpoint_path(b.run_dir()));
  EXPECT_EQ(ca.metadata.at("checksum"), cb.metadata.at("checksum"));  // every weight, buffer and Adam moment
  EXPECT_EQ(ca.metadata.at("rng.noise.offset"), cb.metadata.at("rng.noise.offset"));
  const auto ma = read_jsonl(metrics_path(a.run_dir())), mb = read_jsonl(metrics_path(b.run_dir()));
  ASSERT_EQ(mb.size(), 2u);
  EXPECT_EQ(mb[0].at("epoch"), 1);
  EXPECT_EQ(mb[1].at("epoch"), 2);
  EXPECT_EQ(mb[1].at("train_loss"), ma[1].at("train_loss"));

  // A finished run is reused; resuming with different settings is refused.
  EXPECT_TRUE(train(b, resume).reused);
  RunConfig changed = b;
  changed.lr = 1e-2;
  changed.epochs = 3;
  EXPECT_THROW(train(changed, resume), dl::Error);

  // The post-hoc probe reads the checkpoint's own config.
  ProbeOptions po = probe_options(b);
  po.epochs = 1;
  po.progress = false;
  const ProbeResult pr = posthoc_probe(checkpoint_path(b.run_dir()), po);
  EXPECT_EQ(pr.train_images, 192);
  EXPECT_EQ(pr.test_images, 200);
  EXPECT_EQ(pr.feature_dim, 32);
  EXPECT_GE(pr.test_acc, 0.0);
  EXPECT_LE(pr.test_acc, 1.0);
  // --probe-train-limit gives the probe more training images than the encoder saw.
  RunConfig wider = b;
  wider.probe_train_limit = 320;
  ProbeOptions pw = probe_options(wider);
  pw.epochs = 1;
  pw.progress = false;
  EXPECT_EQ(posthoc_probe(checkpoint_path(b.run_dir()), pw).train_images, 320);
  fs::remove_all(dir);
}

// --lr-schedule cosine sets the rate of every step from the global step: the last step of each
// epoch (metrics.jsonl "last_step_lr") has the rate nn::WarmupCosineLr gives that step.
TEST_F(ExperimentsSmoke, CosineScheduleSetsEachStepsRate) {
  REQUIRE_DATA();
  const std::string dir = temp_dir("cosine");
  RunConfig c = smoke("supervised", "mnist", dir);
  c.epochs = 2, c.lr = 1e-3, c.lr_schedule = "cosine", c.warmup_epochs = 0.5;
  const TrainResult r = train(c, quiet());
  ASSERT_TRUE(r.finished);
  const int64_t per_epoch = r.steps / 2;  // 192 images / 64 = 3 steps
  ASSERT_EQ(per_epoch, 3);
  const dl::nn::WarmupCosineLr expected(1e-3f, 2, 6);  // warm-up llround(0.5 * 3) = 2 steps of 6
  const auto m = read_jsonl(metrics_path(c.run_dir()));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_FLOAT_EQ(m[0].at("last_step_lr").get<float>(), expected.lr(2));
  EXPECT_FLOAT_EQ(m[1].at("last_step_lr").get<float>(), expected.lr(5));
  EXPECT_LT(expected.lr(5), 0.2f * 1e-3f);  // the decay is visible, not a constant rate
  fs::remove_all(dir);
}

TEST_F(ExperimentsSmoke, NanLossStopsWithTheStepAndKeepsTheCheckpoint) {
  REQUIRE_DATA();
  const std::string dir = temp_dir("nan");
  RunConfig c = smoke("ae", "mnist", dir);
  c.epochs = 2;
  c.inject_nan_step = 4;  // epoch 2, batch 2 (3 steps per epoch)
  try {
    train(c, quiet());
    FAIL() << "expected TrainingDiverged";
  } catch (const TrainingDiverged& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("non-finite loss nan at step 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("epoch 2, batch 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("last good checkpoint"), std::string::npos) << msg;
  }
  const dl::NamedTensors ck = dl::read_safetensors(checkpoint_path(c.run_dir()));
  EXPECT_EQ(ck.metadata.at("epoch"), "1");
  EXPECT_FALSE(fs::exists(result_path(c.run_dir())));

  // A real divergence: an absurd learning rate blows the weights up within a few steps.
  RunConfig wild = smoke("ae", "mnist", dir + "/wild");
  wild.lr = 1e30;
  wild.epochs = 3;
  EXPECT_THROW(train(wild, quiet()), TrainingDiverged);
  fs::remove_all(dir);
}
