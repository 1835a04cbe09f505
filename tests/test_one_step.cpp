// test_one_step.cpp - the printed training step of experiments/one_step.h (the output that
// docs/one_step.md walks through) keeps its structure: the batch, the tape's nodes in recording
// order, the backward running them from the loss down with each gradient written (=) or
// accumulated (+=), a loss that is the sum of its parts, and Adam's first update moving each
// value by lr.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "experiments/one_step.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The lines of the section that starts with `header`, up to the next blank line.
std::vector<std::string> section(const std::vector<std::string>& lines, const std::string& header) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < lines.size() && lines[i].rfind(header, 0) != 0) ++i;
  for (++i; i < lines.size() && !lines[i].empty(); ++i) out.push_back(lines[i]);
  return out;
}

std::string printed() {
  std::ostringstream out;
  dl::experiments::print_one_step(out);
  return out.str();
}

TEST(OneStep, TapeNodesInRecordingOrder) {
  const std::vector<std::string> fwd = section(lines_of(printed()), "== forward");
  const std::vector<std::string> ops = {"linear",   "batchnorm_relu", "linear",        "linear",
                                        "mse_loss", "linear",         "cross_entropy", "add"};
  ASSERT_EQ(fwd.size(), ops.size());
  for (size_t k = 0; k < ops.size(); ++k) {
    std::string node = "#";
    node += std::to_string(k + 1);
    node += ' ';
    node += ops[k];
    EXPECT_EQ(fwd[k].find(node + ' '), 2u) << fwd[k];
  }
  EXPECT_NE(fwd[0].find("-> (4, 8)"), std::string::npos) << fwd[0];
  EXPECT_NE(fwd[0].find("from encoder.fc1.weight, encoder.fc1.bias"), std::string::npos) << fwd[0];
  EXPECT_NE(fwd[7].find("-> ()"), std::string::npos) << fwd[7];
}

TEST(OneStep, BackwardRunsEveryNodeOnceFromTheLossWithWritesAndAccumulations) {
  const std::string text = printed();
  const std::vector<std::string> bwd = section(lines_of(text), "== backward");
  std::vector<std::string> runs;
  int writes = 0, sums = 0, into_zeros = 0;
  for (const std::string& l : bwd) {
    if (l.rfind("  run #", 0) == 0) runs.push_back(l.substr(6, l.find(' ', 7) - 6));
    if (l.size() > 2 && l.substr(l.size() - 2) == " =") ++writes;
    if (l.size() > 3 && l.substr(l.size() - 3) == " +=") ++sums;
    if (l.find("+= into zeros") != std::string::npos) ++into_zeros;
  }
  ASSERT_EQ(runs.size(), 8u) << text;
  EXPECT_EQ(runs.front(), "#8") << "backward starts at the loss";
  EXPECT_EQ(runs.back(), "#1") << "and ends at the first node";
  EXPECT_EQ(into_zeros, 10) << "every parameter's .grad is accumulated into, fresh after zero_grad";
  EXPECT_EQ(sums, 1) << "h (#3) feeds the decoder and the probe: its second gradient is added";
  EXPECT_NE(text.find("#3 linear.grad               +="), std::string::npos) << text;
  EXPECT_EQ(writes, 8) << "the seed and every activation gradient's first contribution are written";
}

TEST(OneStep, LossIsTheSumOfItsPartsAndAdamMovesByLr) {
  const std::string text = printed();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(total ([0-9.]+) = ae ([0-9.]+) \+ cls ([0-9.]+))"))) << text;
  const double total = std::stod(m[1]), ae = std::stod(m[2]), cls = std::stod(m[3]);
  EXPECT_TRUE(std::isfinite(total));
  EXPECT_NEAR(total, ae + cls, 2e-6);
  EXPECT_GT(ae, 0.0);
  EXPECT_GT(cls, 0.0);
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(change / lr \[-?1, -?1, -?1\])"))) << text;
}

TEST(OneStep, TheObserverIsRemovedAfterTheStep) {
  std::ostringstream out;
  dl::experiments::print_one_step(out);
  const size_t before = out.str().size();
  dl::Tensor x = dl::ones({3}).set_requires_grad(true);
  dl::sum(dl::relu(x)).backward();  // would print through a leftover observer
  EXPECT_EQ(out.str().size(), before);
}

}  // namespace
