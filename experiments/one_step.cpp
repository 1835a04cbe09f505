// one_step.cpp - see one_step.h.
#include "experiments/one_step.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "data/loader.h"
#include "experiments/trainer.h"
#include "nn/adam.h"
#include "nn/mlp.h"

namespace dl::experiments {
namespace {

constexpr int kSide = 4, kPixels = kSide * kSide, kClasses = 3, kImages = 12;

// Twelve 1x4x4 images of three classes: a bright top row, left column or diagonal on a dim,
// varying background. Stored as uint8 like the real datasets, so the loader treats them alike.
data::Dataset toy_dataset() {
  data::Dataset d;
  d.kind = data::DatasetKind::MNIST;
  d.name = "toy train";
  d.channels = 1, d.height = kSide, d.width = kSide;
  d.class_names = {"top row", "left column", "diagonal"};
  for (int i = 0; i < kImages; ++i) {
    const int c = i % kClasses;
    for (int p = 0; p < kPixels; ++p) {
      const int r = p / kSide, col = p % kSide;
      const bool on = (c == 0 && r == 0) || (c == 1 && col == 0) || (c == 2 && r == col);
      d.images.push_back(static_cast<uint8_t>((on ? 200 : 0) + (i * 37 + p * 11) % 50));
    }
    d.labels.push_back(c);
    d.source_indices.push_back(i);
  }
  d.validate();
  return d;
}

class TinyAE : public nn::Module {
 public:
  explicit TinyAE(Generator& gen) {
    encoder = register_module("encoder", std::make_shared<nn::MLP>(kPixels, 8, 4, 1e-5f, gen));
    decoder = register_module("decoder", std::make_shared<nn::Linear>(4, kPixels, true, gen));
    probe = register_module("probe", std::make_shared<nn::Linear>(4, kClasses, true, gen));
  }
  std::shared_ptr<nn::MLP> encoder;
  std::shared_ptr<nn::Linear> decoder, probe;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The first n values of t: "[0.1, -2, ...]".
std::string values(const Tensor& t, int64_t n = 6) {
  const std::vector<float> v = t.dtype() == DType::I32 ? std::vector<float>() : t.to_vector();
  const std::vector<int32_t> vi = t.dtype() == DType::I32 ? t.to_vector_i32() : std::vector<int32_t>();
  const int64_t count = t.numel(), shown = std::min(n, count);
  std::string s = "[";
  for (int64_t i = 0; i < shown; ++i)
    s += (i ? ", " : "") + (vi.empty() ? fmt("%.5g", v[i]) : std::to_string(vi[i]));
  return s + (shown < count ? ", ...]" : "]");
}

std::string pad(std::string s, size_t w) { return s.size() < w ? s + std::string(w - s.size(), ' ') : s; }

// Prints the tape's events: nodes as recorded, nodes as backward runs them, and each gradient's
// landing (= or +=). Tensors are named by parameter name, or "#k op" for the k-th node's output.
class TapePrinter : public TapeObserver {
 public:
  TapePrinter(std::ostream& out, const nn::NamedTensorList& params) : out_(out) {
    for (const auto& [name, t] : params) names_[t.impl().get()] = name;
  }
  void on_record(const Node& node, const Tensor& out) override {
    std::string name = "#";
    name += std::to_string(++recorded_);
    name += ' ';
    name += node.name;
    names_[out.impl().get()] = name;
    std::string from;
    for (const Tensor& in : node.inputs) from += (from.empty() ? "" : ", ") + name_of(in);
    out_ << "  " << pad(name, 20) << " -> " << pad(out.shape().str(), 8) << "  from " << from << "\n";
  }
  void on_backward(const Node& node, const Tensor& grad_out) override {
    backward_header();
    out_ << "  run " << pad(name_of_output(node), 20) << " with dL/d(out) " << grad_out.shape().str() << "\n";
  }
  void on_grad(const Tensor& t, const char* how) override {
    backward_header();
    out_ << "      " << pad(name_of(t) + ".grad", 28) << " " << how << "\n";
  }

 private:
  std::string name_of(const Tensor& t) const {
    const auto it = names_.find(t.impl().get());
    return it == names_.end() ? "(unnamed " + t.shape().str() + ")" : it->second;
  }
  std::string name_of_output(const Node& node) const {
    const std::shared_ptr<TensorImpl> o = node.output.lock();
    return o ? name_of(Tensor(o)) : node.name;
  }
  void backward_header() {
    if (in_backward_) return;
    in_backward_ = true;
    out_ << "\n== backward: the tape from the loss back to the parameters (zero_grad ran just before)\n"
         << "  seed: dL/dL = 1\n";
  }
  std::ostream& out_;
  std::map<const TensorImpl*, std::string> names_;
  int recorded_ = 0;
  bool in_backward_ = false;
};

const Tensor& named(const nn::NamedTensorList& list, const std::string& name) {
  for (const auto& [n, t] : list)
    if (n == name) return t;
  DL_FAIL("one_step: no tensor named ", name);
}

}  // namespace

void print_one_step(std::ostream& out) {
  // The loader, as train() builds it, with a transform for 1x4x4 images: x / 255, flattened.
  data::LoaderConfig lc;
  lc.batch_size = 4, lc.shuffle = true, lc.views = false, lc.num_threads = 0, lc.seed = 0;
  data::Transforms tf;
  tf.clean = [](data::DatasetKind, const uint8_t* src, float* dst) {
    for (int p = 0; p < kPixels; ++p) dst[p] = src[p] / 255.0f;
  };
  tf.out_elems = kPixels;
  data::Loader loader(std::make_shared<data::Dataset>(toy_dataset()), lc, tf);
  loader.start_epoch(0);
  data::Batch b;
  DL_CHECK(loader.next(b), "one_step: the loader gave no batch");
  out << "== batch " << b.index << " of epoch " << b.epoch << " (of " << loader.num_batches() << "), shuffled\n"
      << "  dataset indices " << values(from_vector_i32(b.indices, {b.size()})) << ", labels "
      << values(b.labels) << "\n"
      << "  clean " << b.clean.shape().str() << ", row 0 " << values(b.clean, 8) << "\n";

  Generator gen(0);
  TinyAE model(gen);
  model.train();
  nn::AdamOptions ao;
  ao.lr = 1e-2f;
  nn::Adam adam(model.named_parameters(), ao);
  const nn::NamedTensorList params = model.named_parameters();
  out << "\n== parameters (leaves that require grad)\n";
  for (const auto& [name, t] : params) out << "  " << pad(name, 20) << " " << t.shape().str() << "\n";

  const Tensor w = named(params, "probe.bias");
  const Tensor before = w.clone();
  const Tensor mean_before = named(model.named_buffers(), "encoder.bn.running_mean").clone();

  out << "\n== forward: tape nodes in recording order (inputs that receive gradients)\n";
  TapePrinter printer(out, params);
  set_tape_observer(&printer);
  StepResult step;
  try {
    step = train_step(adam, [&] {
      const Tensor h = model.encoder->forward(b.clean);
      StepLoss l;
      l.parts["ae"] = mse_loss(model.decoder->forward(h), b.clean);
      l.parts["cls"] = cross_entropy(model.probe->forward(h), b.labels);
      l.total = add(l.parts.at("ae"), l.parts.at("cls"));
      return l;
    });
  } catch (...) {
    set_tape_observer(nullptr);
    throw;
  }
  set_tape_observer(nullptr);
  DL_CHECK(step.updated, "one_step: the loss is not finite: ", step.total);

  out << "\n== loss\n  total " << fmt("%.6f", step.total) << " = ae " << fmt("%.6f", step.loss.parts.at("ae").item())
      << " + cls " << fmt("%.6f", step.loss.parts.at("cls").item()) << "\n";
  out << "\n== gradients after backward\n";
  for (const char* name : {"encoder.fc1.weight", "decoder.bias", "probe.bias"})
    out << "  " << pad(std::string(name) + ".grad", 26) << " " << values(named(params, name).grad()) << "\n";

  const nn::NamedTensorList state = adam.state();
  std::vector<float> change = w.to_vector();
  const std::vector<float> old_values = before.to_vector();
  for (size_t i = 0; i < change.size(); ++i) change[i] = (change[i] - old_values[i]) / ao.lr;
  const Tensor change_over_lr = from_vector(change, w.shape());
  out << "\n== Adam's first update of probe.bias (lr " << fmt("%g", ao.lr) << ", betas 0.9, 0.999)\n"
      << "  before      " << values(before) << "\n"
      << "  grad g      " << values(w.grad()) << "\n"
      << "  exp_avg     " << values(named(state, "optim.exp_avg.probe.bias")) << "   (m = 0.1 g)\n"
      << "  exp_avg_sq  " << values(named(state, "optim.exp_avg_sq.probe.bias")) << "   (v = 0.001 g^2)\n"
      << "  after       " << values(w) << "\n"
      << "  change / lr " << values(change_over_lr) << "   (about -g / |g|: the first step moves by lr)\n";
  out << "\n== not on the tape: batch norm's running mean moved in the forward (momentum 0.1)\n"
      << "  encoder.bn.running_mean " << values(mean_before, 4) << " -> "
      << values(named(model.named_buffers(), "encoder.bn.running_mean"), 4) << "\n";
}

}  // namespace dl::experiments
