// train - one method on one dataset with the reference's protocol (experiments/trainer.h).
//
//   train --preset cpu --method simclr --dataset cifar10 [--epochs 3] [--resume] [--device cpu]
//
// Writes <out-dir>/<dataset>_<method>/ (config.json, metrics.jsonl, checkpoint.safetensors,
// recon.png for AE/VAE, features_val.safetensors, result.json). Exit status: 0 done, 1 error,
// 3 the loss became NaN/inf (the message names the step; the last good checkpoint is kept),
// 130 / 143 stopped by SIGINT / SIGTERM after writing the checkpoint (the message says how to
// resume). Errors print as "train: error: <message>"; DL_DEBUG=1 adds the source location.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "experiments/cli_errors.h"
#include "experiments/config_cli.h"
#include "experiments/interrupt.h"
#include "experiments/strict_option.h"
#include "experiments/trainer.h"

int main(int argc, char** argv) {
  using namespace dl::experiments;
  CLI::App app{"Train one method (ae, vae, simclr, supervised) on one dataset (mnist, cifar10) with the online probe"};
  ConfigOptions options(app, "paper");
  TrainOptions topt;
  bool quiet = false;
  app.add_flag("--resume", topt.resume, "continue from the run's last checkpoint (a finished run is reused)");
  app.add_flag("--quiet", quiet, "no progress line");
  add_number(app, "--checkpoint-minutes", topt.checkpoint_minutes,
             "also write the checkpoint inside an epoch this often (0: after every step)")
      ->check(non_negative())
      ->capture_default_str();
  app.add_option("--debug-dump", topt.debug_dump_dir,
                 "debug: write the initial weights, the validation images and every step's batch, VAE noise and "
                 "losses to this folder, for tests/golden/twin_run.py (experiments/debug_dump.h)");
  CLI11_PARSE(app, argc, argv);
  topt.progress = !quiet;
  try {
    const RunConfig cfg = options.build();
    std::fprintf(stderr, "train %s: %s\n", cfg.run_name().c_str(), to_json(cfg).dump().c_str());
    const TrainResult r = train(cfg, topt);
    std::printf("%s\n", to_json(r).dump(2).c_str());
    if (r.reused) std::fprintf(stderr, "%s was already finished: reused %s\n", cfg.run_name().c_str(), r.run_dir.c_str());
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "train: %s\nresume with: %s\n", e.user_message(), resume_command(argc, argv).c_str());
    return e.exit_status();
  } catch (const TrainingDiverged& e) {
    return report_error("train", e, 3);
  } catch (const std::exception& e) {
    return report_error("train", e);
  }
  return 0;
}
