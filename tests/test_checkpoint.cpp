// test_checkpoint.cpp - save -> load gives identical outputs and training state; corrupt,
// truncated, wrong-shape and foreign files are clear errors; a training run interrupted after
// epoch k and resumed from its checkpoint ends bit-identical to the uninterrupted run.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "autograd/grad_mode.h"
#include "nn/adam.h"
#include "nn/checkpoint.h"
#include "nn/mlp.h"
#include "tensor/error.h"

using namespace dl;
using namespace dl::nn;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("dl_test_ckpt_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct Tiny {  // an MLP classifier head on a linear stem: parameters, BN buffers
  explicit Tiny(uint64_t seed, int64_t hidden = 8) : gen(seed) {
    stem = model.add("stem", std::make_shared<Linear>(4, 6, true, gen));
    head = model.add("head", std::make_shared<MLP>(6, hidden, 3, 1e-5f, gen));
  }
  Tensor forward(const Tensor& x) { return head->forward(relu(stem->forward(x))); }
  Generator gen;
  ModuleDict model;
  std::shared_ptr<Linear> stem;
  std::shared_ptr<MLP> head;
};

// Synthetic 3-class data: 40 points in 4-d, labels from a fixed linear rule.
struct Data {
  Data() {
    Generator g(99);
    x = rand_uniform({40, 4}, -1, 1, g);
    const std::vector<float> xv = x.to_vector();
    std::vector<int32_t> y(40);
    for (int i = 0; i < 40; ++i) {
      const float* r = &xv[4 * i];
      const float s[3] = {r[0] + r[1], r[2] - r[0], r[3] - r[1]};
      y[i] = static_cast<int32_t>(std::max_element(s, s + 3) - s);
    }
    labels = y;
  }
  Tensor x;
  std::vector<int32_t> labels;
};

// One epoch: shuffle with `shuffle_gen`, batches of 16 (the last one 8), cross-entropy, Adam.
void train_epoch(Tiny& t, Optimizer& opt, const Data& d, Generator& shuffle_gen) {
  std::vector<int> order(40);
  std::iota(order.begin(), order.end(), 0);
  for (int i = 39; i > 0; --i) std::swap(order[i], order[shuffle_gen.randint(0, i + 1)]);
  const std::vector<float> xv = d.x.to_vector();
  t.model.train();
  for (int b = 0; b < 40; b += 16) {
    const int n = std::min(16, 40 - b);
    std::vector<float> bx;
    std::vector<int32_t> by;
    for (int i = b; i < b + n; ++i) {
      bx.insert(bx.end(), xv.begin() + 4 * order[i], xv.begin() + 4 * order[i] + 4);
      by.push_back(d.labels[order[i]]);
    }
    opt.zero_grad();
    Tensor loss = cross_entropy(t.forward(from_vector(bx, {n, 4})), from_vector_i32(by, {n}));
    backward(loss);
    opt.step();
  }
}

AdamOptions adam_opts() {
  AdamOptions o;
  o.lr = 0.02f;
  return o;
}

}  // namespace

TEST(Checkpoint, SaveLoadRestoresOutputsOptimizerAndGenerators) {
  const Data d;
  Tiny a(1);
  Adam opt_a(a.model.named_parameters(), adam_opts());
  Generator shuffle(5);
  train_epoch(a, opt_a, d, shuffle);  // non-trivial weights, BN running stats and Adam moments
  const std::string path = temp_path("roundtrip.safetensors");
  CheckpointInfo info;
  info.epoch = 1, info.step = opt_a.steps_taken(), info.extra["config"] = "tiny";
  save_checkpoint(path, a.model, &opt_a, info, {{"shuffle", &shuffle}});

  Tiny b(2);  // different initialization, overwritten by the load
  Adam opt_b(b.model.named_parameters(), adam_opts());
  Generator shuffle_b(77);
  const CheckpointInfo got = load_checkpoint(path, b.model, &opt_b, {{"shuffle", &shuffle_b}});
  EXPECT_EQ(got.epoch, 1);
  EXPECT_EQ(got.step, 3);
  EXPECT_EQ(got.extra.at("config"), "tiny");
  EXPECT_EQ(shuffle_b.seed(), shuffle.seed());
  EXPECT_EQ(shuffle_b.offset(), shuffle.offset());
  EXPECT_EQ(opt_b.steps_taken(), 3);
  const NamedTensorList sa = a.model.state_dict(), sb = b.model.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].first, sb[i].first);
    EXPECT_EQ(sa[i].second.to_vector(), sb[i].second.to_vector()) << sa[i].first;
  }
  a.model.eval(), b.model.eval();
  NoGradGuard no_grad;
  EXPECT_EQ(a.forward(d.x).to_vector(), b.forward(d.x).to_vector());
  std::filesystem::remove(path);
}

TEST(Checkpoint, BadFilesAreClearErrors) {
  Tiny a(3);
  const std::string path = temp_path("bad.safetensors");
  save_checkpoint(path, a.model, nullptr, {});
  const auto size = std::filesystem::file_size(path);

  // Wrong shape: a model with hidden 9 names the first differing tensor.
  Tiny wide(3, 9);
  std::string e = error_of([&] { load_checkpoint(path, wide.model, nullptr); });
  EXPECT_NE(e.find("head.fc1.weight"), std::string::npos) << e;
  EXPECT_NE(e.find("(8, 6)"), std::string::npos) << e;

  // A model lacking a tensor the file holds (different architecture).
  ModuleDict only_stem;
  only_stem.add("stem", std::make_shared<Linear>(4, 6));
  e = error_of([&] { load_checkpoint(path, only_stem, nullptr); });
  EXPECT_NE(e.find("head."), std::string::npos) << e;

  // Optimizer state requested but absent.
  Adam opt(a.model.named_parameters(), adam_opts());
  e = error_of([&] { load_checkpoint(path, a.model, &opt); });
  EXPECT_NE(e.find("optim.exp_avg.stem.weight"), std::string::npos) << e;

  // A generator requested but absent.
  Generator g(1);
  EXPECT_THROW(load_checkpoint(path, a.model, nullptr, {{"data", &g}}), Error);

  // One flipped bit in the last tensor's bytes: caught by the checksum.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size - 3));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(size - 3));
    f.put(static_cast<char>(c ^ 0x10));
  }
  e = error_of([&] { load_checkpoint(path, a.model, nullptr); });
  EXPECT_NE(e.find("corrupt"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;

  // Truncated file.
  save_checkpoint(path, a.model, nullptr, {});
  std::filesystem::resize_file(path, size - 100);
  e = error_of([&] { load_checkpoint(path, a.model, nullptr); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("(no error)"), 0u) << e;
  std::filesystem::resize_file(path, 5);
  EXPECT_THROW(load_checkpoint(path, a.model, nullptr), Error);

  // Missing file; a safetensors file that is not a checkpoint.
  std::filesystem::remove(path);
  EXPECT_THROW(load_checkpoint(path, a.model, nullptr), Error);
  write_safetensors(path, a.model.state_dict());
  e = error_of([&] { load_checkpoint(path, a.model, nullptr); });
  EXPECT_NE(e.find("not a checkpoint"), std::string::npos) << e;
  std::filesystem::remove(path);
}

// Train 4 epochs straight; separately train 2, checkpoint, throw everything away, rebuild from
// other seeds, load, train 2 more. Parameters, BN buffers and Adam state must match bit for bit.
TEST(Checkpoint, InterruptedRunResumesBitIdentically) {
  const Data d;
  const int kEpochs = 4, kInterruptAfter = 2;
  const std::string path = temp_path("resume.safetensors");

  Tiny full(10);
  Adam full_opt(full.model.named_parameters(), adam_opts());
  Generator full_shuffle(20);
  for (int e = 0; e < kEpochs; ++e) train_epoch(full, full_opt, d, full_shuffle);

  {
    Tiny first(10);
    Adam opt(first.model.named_parameters(), adam_opts());
    Generator shuffle(20);
    for (int e = 0; e < kInterruptAfter; ++e) {
      train_epoch(first, opt, d, shuffle);
      CheckpointInfo info;
      info.epoch = e + 1, info.step = opt.steps_taken();
      save_checkpoint(path, first.model, &opt, info, {{"shuffle", &shuffle}});
    }
  }  // "crash"

  Tiny resumed(11);
  Adam opt(resumed.model.named_parameters(), adam_opts());
  Generator shuffle(0);
  const CheckpointInfo info = load_checkpoint(path, resumed.model, &opt, {{"shuffle", &shuffle}});
  ASSERT_EQ(info.epoch, kInterruptAfter);
  for (int64_t e = info.epoch; e < kEpochs; ++e) train_epoch(resumed, opt, d, shuffle);

  const NamedTensorList want = full.model.state_dict(), got = resumed.model.state_dict();
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].first, got[i].first);
    EXPECT_EQ(want[i].second.to_vector(), got[i].second.to_vector()) << want[i].first;
  }
  const NamedTensorList want_opt = full_opt.state(), got_opt = opt.state();
  for (size_t i = 0; i + 1 < want_opt.size(); ++i)
    EXPECT_EQ(want_opt[i].second.to_vector(), got_opt[i].second.to_vector()) << want_opt[i].first;
  EXPECT_EQ(full_opt.steps_taken(), opt.steps_taken());
  // And training actually moved the weights away from the shared initialization.
  Tiny init(10);
  EXPECT_NE(init.stem->weight.to_vector(), full.stem->weight.to_vector());
  std::filesystem::remove(path);
}
