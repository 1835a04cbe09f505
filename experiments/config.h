// config.h - every setting of one training run (RunConfig), the named presets, and their JSON
// form. The reference's protocol is in docs/protocol.md; docs/experiments.md
// explains each preset and the arithmetic behind `cpu`.
//
// Presets:
//   paper  the reference code's defaults exactly: ResNet18 width 64, Adam 3e-4 (0.9, 0.999, 1e-8), no
//          decay, no schedule, batch 256, 150 epochs (the reference's default; the paper does not state
//          the epochs, the GPUs, or whether the last or best epoch is reported), latent 128, vae_beta 0.1, tau 0.1, drop_last false,
//          three encoder passes per step, MLP BN eps = output dim (the reference's bug), full
//          59,000 / 49,000 training images.
//   cpu    the same protocol shrunk to fit 8 runs in under 2 hours on 2 CPU cores (`table1 --jobs
//          2`): width 16, 8 epochs of 20,000 images, no extra view passes for AE/VAE/supervised,
//          post-hoc probe on every training image (arithmetic in config.cpp, the recipe study in
//          docs/experiments.md).
//   smoke  seconds: width 4, a few hundred images, 1 epoch; used by the tests.
// Every field can be overridden on the command line (experiments/config_cli.h) and is echoed into
// the results (to_json).
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/pipeline.h"
#include "tensor/device.h"

namespace dl::experiments {

enum class Method { AE, VAE, SimCLR, Supervised };
const std::vector<Method>& all_methods();  // in the paper's column order
std::string method_key(Method m);          // "ae", "vae", "simclr", "supervised"
std::string method_title(Method m);        // "AE", "VAE", "SimCLR", "Supervised"
Method parse_method(const std::string& s);  // error lists the valid names

std::string dataset_key(data::DatasetKind k);  // "mnist", "cifar10"
data::DatasetKind parse_dataset(const std::string& s);

// faithful: the reference's heads (BN eps = output dim); standard: BN eps 1e-5 in every head.
enum class Protocol { Faithful, Standard };

struct RunConfig {
  std::string preset = "paper";
  std::string method = "ae";        // ae | vae | simclr | supervised
  std::string dataset = "mnist";    // mnist | cifar10
  std::string protocol = "faithful";  // faithful | standard

  // ---- model ----
  int64_t width = 64;          // ResNet18 base width; the representation is 8 * width
  int64_t hidden_dim = 512;    // hidden size of every MLP head
  int64_t latent_dim = 128;    // AE bottleneck and VAE latent
  int64_t simclr_dim = 128;    // SimCLR projection
  double vae_beta = 0.1;
  double tau = 0.1;
  // AE, VAE, supervised: also run the encoder on both augmented views every step, without
  // gradients, as the reference does (only the BN running statistics change). SimCLR's loss needs
  // the views, so SimCLR encodes them whatever this says.
  bool view_passes = true;

  // ---- optimization ----
  double lr = 3e-4, beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8, weight_decay = 0.0;
  // constant (the reference) or cosine: linear warm-up over the first warmup_epochs, then cosine
  // decay to 0 at the last step of `epochs` (nn/schedule.h; the step count is global, so a resumed
  // run continues the same curve).
  std::string lr_schedule = "constant";
  double warmup_epochs = 0.0;
  int64_t batch_size = 256;
  int64_t epochs = 150;
  bool drop_last = false;

  // ---- data ----
  int64_t train_limit = 0;  // first N images of the reference train split (0 = all)
  int64_t test_limit = 0;   // test accuracies use the first N official test images (0 = all 10,000)
  int loader_threads = 2;   // augmentation worker threads

  // ---- post-hoc probe (the standard protocol) ----
  int64_t probe_epochs = 20;
  int64_t probe_train_limit = -1;  // training images of the probe: -1 = train_limit's, 0 = all
  double probe_lr = 3e-4;
  double probe_bn_eps = 1e-5;

  // ---- run ----
  uint64_t seed = 0;
  std::string device = "auto";  // auto | cpu | cuda
  bool tf32 = false;            // CUDA: TF32 tensor-core GEMMs (cuBLAS); no effect on the CPU
  std::string data_dir;         // empty: data/data_dir.h's search
  std::string out_dir = "runs"; // the run writes to <out_dir>/<dataset>_<method>
  int64_t recon_images = 8;     // columns of the reconstruction grid (AE / VAE)
  int64_t inject_nan_step = -1; // testing: make the loss NaN at this global step (-1 = never)

  Method method_enum() const { return parse_method(method); }
  data::DatasetKind dataset_enum() const { return parse_dataset(dataset); }
  Protocol protocol_enum() const;
  // BN eps of a head with this output size under the protocol (faithful: out_dim, standard: 1e-5).
  float head_bn_eps(int64_t out_dim) const;
  int64_t feature_dim() const { return 8 * width; }
  std::string run_name() const { return dataset + "_" + method; }
  std::string run_dir() const;  // out_dir / run_name()

  void validate() const;  // dl::Error naming the offending setting
};

// One entry per RunConfig field: its JSON key (CLI flag = "--" + key with '_' -> '-'), help text
// and member. to_json, config_from_json and the command line all walk this table.
using FieldPtr = std::variant<std::string RunConfig::*, int64_t RunConfig::*, int RunConfig::*, uint64_t RunConfig::*,
                              double RunConfig::*, bool RunConfig::*>;
struct ConfigField {
  const char* key;
  const char* help;
  FieldPtr member;
};
const std::vector<ConfigField>& config_fields();

RunConfig preset(const std::string& name);  // "paper", "cpu", "smoke"; error lists them
const std::vector<std::string>& preset_names();

nlohmann::json to_json(const RunConfig& c);
RunConfig config_from_json(const nlohmann::json& j);  // unknown keys are an error

// The settings that change what is trained (everything except epochs and where/how it runs),
// compared when resuming; returns "" when compatible, else the first differing key and values.
std::string resume_mismatch(const RunConfig& saved, const RunConfig& now);

// "auto" -> CUDA when available, else CPU. "cuda" without a usable GPU is a clear error.
Device resolve_device(const std::string& name);

}  // namespace dl::experiments
