// config.cpp - see config.h.
#include "experiments/config.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "tensor/error.h"

namespace dl::experiments {

const std::vector<Method>& all_methods() {
  static const std::vector<Method> m = {Method::AE, Method::VAE, Method::SimCLR, Method::Supervised};
  return m;
}

std::string method_key(Method m) {
  switch (m) {
    case Method::AE: return "ae";
    case Method::VAE: return "vae";
    case Method::SimCLR: return "simclr";
    case Method::Supervised: return "supervised";
  }
  return "?";
}

std::string method_title(Method m) {
  switch (m) {
    case Method::AE: return "AE";
    case Method::VAE: return "VAE";
    case Method::SimCLR: return "SimCLR";
    case Method::Supervised: return "Supervised";
  }
  return "?";
}

Method parse_method(const std::string& s) {
  for (Method m : all_methods())
    if (method_key(m) == s) return m;
  DL_FAIL("unknown method '", s, "' (expected ae, vae, simclr or supervised)");
}

std::string dataset_key(data::DatasetKind k) { return k == data::DatasetKind::MNIST ? "mnist" : "cifar10"; }

data::DatasetKind parse_dataset(const std::string& s) {
  if (s == "mnist") return data::DatasetKind::MNIST;
  if (s == "cifar10") return data::DatasetKind::CIFAR10;
  DL_FAIL("unknown dataset '", s, "' (expected mnist or cifar10)");
}

Protocol RunConfig::protocol_enum() const {
  if (protocol == "faithful") return Protocol::Faithful;
  if (protocol == "standard") return Protocol::Standard;
  DL_FAIL("unknown protocol '", protocol, "' (expected faithful or standard)");
}

float RunConfig::head_bn_eps(int64_t out_dim) const {
  // The reference writes nn.BatchNorm1d(hidden_dim, output_dim): the second positional argument
  // of BatchNorm1d is eps, so every head normalizes with eps = its output size (docs/protocol.md 1.2).
  return protocol_enum() == Protocol::Faithful ? static_cast<float>(out_dim) : 1e-5f;
}

std::string RunConfig::run_dir() const { return (std::filesystem::path(out_dir) / run_name()).string(); }

void RunConfig::validate() const {
  (void)method_enum();
  (void)dataset_enum();
  (void)protocol_enum();
  DL_CHECK(width >= 1 && hidden_dim >= 1 && latent_dim >= 1 && simclr_dim >= 1,
           "width, hidden_dim, latent_dim and simclr_dim must be >= 1 (got ", width, ", ", hidden_dim, ", ",
           latent_dim, ", ", simclr_dim, ")");
  DL_CHECK(batch_size >= 2, "--batch-size must be >= 2 (batch norm needs 2 samples), got ", batch_size);
  DL_CHECK(epochs >= 1, "--epochs must be >= 1, got ", epochs);
  DL_CHECK(lr > 0, "--lr must be > 0, got ", lr);
  DL_CHECK(lr_schedule == "constant" || lr_schedule == "cosine", "--lr-schedule must be constant or cosine, got '",
           lr_schedule, "'");
  DL_CHECK(warmup_epochs >= 0 && warmup_epochs < double(epochs), "--warmup-epochs must be in [0, --epochs = ", epochs,
           "), got ", warmup_epochs);
  DL_CHECK(tau > 0, "--tau must be > 0, got ", tau);
  DL_CHECK(train_limit >= 0 && test_limit >= 0, "--train-limit / --test-limit must be >= 0");
  DL_CHECK(loader_threads >= 0, "--loader-threads must be >= 0, got ", loader_threads);
  DL_CHECK(probe_epochs >= 0, "--probe-epochs must be >= 0, got ", probe_epochs);
  DL_CHECK(probe_train_limit >= -1, "--probe-train-limit must be -1 (the training run's images), 0 (all) or a count, got ",
           probe_train_limit);
  DL_CHECK(device == "auto" || device == "cpu" || device == "cuda", "--device must be auto, cpu or cuda, got '",
           device, "'");
}

// ---- presets -------------------------------------------------------------------------------

static RunConfig paper_preset() { return RunConfig{}; }  // the defaults are the reference's

// The `cpu` preset: the reference's protocol and optimizer (faithful heads, Adam 3e-4, batch 256,
// no schedule) with a narrower network, fewer epochs and a training subset, sized so that all 8
// runs take under 2 hours on 2 idle CPU cores with `table1 --jobs 2` (two runs at once, one
// thread each). Two departures bought accuracy per second in the recipe study of
// docs/experiments.md: AE, VAE and supervised skip the reference's two gradient-free passes over
// the augmented views (two of the step's three encoder forward passes), and the post-hoc probe
// trains on every training image (forward passes only). Measured (idle, two runs at once, width
// 16, batch 256): AE, VAE and SimCLR ~127 images/s each, so one 20,000-image epoch costs ~160 s;
// 8 epochs of the 8 runs, two at a time, ~80 min, plus probes, evaluation and t-SNE: 1h22m in
// all, measured.
// Width 16 (128-d representation) keeps 1/16 of the paper's FLOPs. On a machine shared with
// other jobs, wall times scale up accordingly.
static RunConfig cpu_preset() {
  RunConfig c;
  c.preset = "cpu";
  c.width = 16;
  c.epochs = 8;
  c.train_limit = 20000;
  c.test_limit = 5000;
  c.view_passes = false;
  c.probe_epochs = 20;
  c.probe_train_limit = 0;
  return c;
}

// Seconds on 2 cores for all 8 runs together: used by tests and as a quick end-to-end check.
static RunConfig smoke_preset() {
  RunConfig c;
  c.preset = "smoke";
  c.width = 4;
  c.hidden_dim = 32;
  c.latent_dim = 16;
  c.simclr_dim = 16;
  c.batch_size = 64;
  c.epochs = 1;
  c.train_limit = 192;
  c.test_limit = 200;
  c.probe_epochs = 2;
  c.recon_images = 4;
  c.loader_threads = 1;
  return c;
}

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> n = {"paper", "cpu", "smoke"};
  return n;
}

RunConfig preset(const std::string& name) {
  if (name == "paper") return paper_preset();
  if (name == "cpu") return cpu_preset();
  if (name == "smoke") return smoke_preset();
  DL_FAIL("unknown preset '", name, "' (expected paper, cpu or smoke)");
}

// ---- the field table ------------------------------------------------------------------------

const std::vector<ConfigField>& config_fields() {
  using C = RunConfig;
  static const std::vector<ConfigField> f = {
      {"preset", "preset the other settings start from: paper, cpu or smoke", &C::preset},
      {"method", "ae, vae, simclr or supervised", &C::method},
      {"dataset", "mnist or cifar10", &C::dataset},
      {"protocol", "faithful (heads' BN eps = output dim, as the reference) or standard (BN eps 1e-5)",
       &C::protocol},
      {"width", "ResNet18 base width (64 = the paper); the representation is 8 * width", &C::width},
      {"hidden_dim", "hidden size of every MLP head", &C::hidden_dim},
      {"latent_dim", "AE bottleneck / VAE latent size", &C::latent_dim},
      {"simclr_dim", "SimCLR projection size", &C::simclr_dim},
      {"vae_beta", "weight of the VAE's KL term", &C::vae_beta},
      {"tau", "SimCLR temperature", &C::tau},
      {"view_passes", "AE, VAE, supervised: also encode both augmented views every step, without gradients, as the "
                      "reference does (BN statistics only); SimCLR always encodes them", &C::view_passes},
      {"lr", "Adam learning rate (the peak rate under --lr-schedule cosine)", &C::lr},
      {"lr_schedule", "constant (the reference) or cosine (linear warm-up, then cosine decay to 0)", &C::lr_schedule},
      {"warmup_epochs", "epochs of linear warm-up under --lr-schedule cosine (may be fractional)", &C::warmup_epochs},
      {"beta1", "Adam beta1", &C::beta1},
      {"beta2", "Adam beta2", &C::beta2},
      {"adam_eps", "Adam epsilon", &C::adam_eps},
      {"weight_decay", "Adam (L2) weight decay", &C::weight_decay},
      {"batch_size", "training batch size", &C::batch_size},
      {"epochs", "training epochs", &C::epochs},
      {"drop_last", "drop the last, smaller batch of each epoch", &C::drop_last},
      {"train_limit", "use the first N images of the reference train split (0 = all)", &C::train_limit},
      {"test_limit", "test accuracies (online and post-hoc probe) use the first N official test images (0 = all)", &C::test_limit},
      {"loader_threads", "augmentation worker threads", &C::loader_threads},
      {"probe_epochs", "epochs of the post-hoc MLP probe", &C::probe_epochs},
      {"probe_train_limit", "training images of the post-hoc probe: -1 = the run's --train-limit, 0 = the whole "
                            "train split, N = the first N", &C::probe_train_limit},
      {"probe_lr", "Adam learning rate of the post-hoc probe", &C::probe_lr},
      {"probe_bn_eps", "BN eps of the post-hoc probe", &C::probe_bn_eps},
      {"seed", "seed of initialization, shuffling, augmentation and VAE sampling", &C::seed},
      {"device", "auto (CUDA if available), cpu or cuda", &C::device},
      {"tf32", "CUDA: TF32 tensor-core GEMMs in cuBLAS (10-bit mantissa inputs, FP32 sums; faster, ~1e-3 "
               "relative error per product); no effect on the CPU, which always computes in FP32", &C::tf32},
      {"data_dir", "data root holding mnist/ and cifar10/ (default: search, see data/data_dir.h)", &C::data_dir},
      {"out_dir", "where runs go: <out_dir>/<dataset>_<method>/", &C::out_dir},
      {"recon_images", "columns of the AE/VAE reconstruction grid", &C::recon_images},
      {"inject_nan_step", "testing: make the loss NaN at this global step (-1 = never)", &C::inject_nan_step},
  };
  return f;
}

nlohmann::json to_json(const RunConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const ConfigField& f : config_fields())
    std::visit([&](auto member) { j[f.key] = c.*member; }, f.member);
  return j;
}

RunConfig config_from_json(const nlohmann::json& j) {
  DL_CHECK(j.is_object(), "config JSON must be an object, got ", j.dump());
  RunConfig c;
  for (const auto& item : j.items()) {
    const std::string key = item.key();  // named copies: clang 14 cannot capture structured bindings
    const nlohmann::json& value = item.value();
    const ConfigField* field = nullptr;
    for (const ConfigField& f : config_fields())
      if (key == f.key) field = &f;
    DL_CHECK(field != nullptr, "config JSON: unknown setting '", key, "'");
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(c.*member)>;
          // nlohmann converts numbers between kinds without checks (-1 -> uint64 wraps, 1e300 ->
          // int64 is undefined): integers must be integers in T's range.
          if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            bool fits = false;
            if (value.is_number_unsigned()) {
              fits = value.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max());
            } else if (value.is_number_integer()) {
              const int64_t v = value.get<int64_t>();
              fits = std::is_signed_v<T> ? v >= int64_t(std::numeric_limits<T>::min()) &&
                                               v <= int64_t(std::numeric_limits<T>::max())
                                         : v >= 0 && uint64_t(v) <= uint64_t(std::numeric_limits<T>::max());
            }
            DL_CHECK(fits, "config JSON: setting '", key, "' = ", value.dump(), " is not an integer in [",
                     std::numeric_limits<T>::min(), ", ", std::numeric_limits<T>::max(), "]");
          }
          try {
            c.*member = value.get<T>();
          } catch (const nlohmann::json::exception& e) {
            DL_FAIL("config JSON: setting '", key, "' = ", value.dump(), " has the wrong type (", e.what(), ")");
          }
        },
        field->member);
  }
  return c;
}

std::string resume_mismatch(const RunConfig& saved, const RunConfig& now) {
  // Settings that may change between an interrupted run and its resumption.
  static const std::vector<std::string> free = {
      "preset",   "epochs",  "test_limit",   "loader_threads",  "probe_epochs", "probe_lr", "probe_bn_eps",
      "probe_train_limit", "device", "data_dir", "out_dir", "recon_images", "inject_nan_step", "tf32"};
  const nlohmann::json a = to_json(saved), b = to_json(now);
  for (const auto& [key, value] : a.items()) {
    if (std::find(free.begin(), free.end(), key) != free.end()) continue;
    if (b.at(key) != value) return key + ": checkpoint has " + value.dump() + ", now " + b.at(key).dump();
  }
  // The cosine curve is laid out over `epochs`: another epoch count would change the rates of the
  // steps already taken, so it may not change either.
  if (now.lr_schedule == "cosine" && saved.epochs != now.epochs)
    return "epochs (the length of --lr-schedule cosine): checkpoint has " + std::to_string(saved.epochs) + ", now " +
           std::to_string(now.epochs);
  return "";
}

Device resolve_device(const std::string& name) {
  if (name == "auto") return device_available(Device::CUDA) ? Device::CUDA : Device::CPU;
  const Device d = parse_device(name);
  if (d == Device::CUDA && !device_available(Device::CUDA)) {
    (void)backend(Device::CUDA);  // throws the backend's own reason ("CUDA requested but ...")
    DL_FAIL("--device cuda: no usable CUDA device (build with `cmake --preset cuda` on a machine with a GPU)");
  }
  return d;
}

}  // namespace dl::experiments
