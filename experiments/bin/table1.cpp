// table1 - the paper's Table 1 and Figures 1-2 (experiments/table1.h).
//
//   table1 --preset cpu                                   # all 8 runs, ~2 h on 2 CPU cores
//   table1 --preset cpu --jobs 2                          # two runs at once, one thread each
//   table1 --preset paper --device cuda                   # the reference's settings
//   table1 --preset smoke --methods ae,simclr --datasets mnist --results-dir results_smoke
//
// Any run setting can be overridden for every run (--epochs 3, --width 32, --protocol standard,
// ...). Finished runs are reused and interrupted ones resume, so re-running continues the table.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "experiments/cli_errors.h"
#include "experiments/config_cli.h"
#include "experiments/interrupt.h"
#include "experiments/run_lock.h"
#include "experiments/strict_option.h"
#include "experiments/trainer.h"
#include "experiments/table1.h"
#include "experiments/table1_jobs.h"

int main(int argc, char** argv) {
  using namespace dl::experiments;
  CLI::App app{"Reproduce Table 1 (and the t-SNE figures): train the 8 models, probe them both ways"};
  ConfigOptions options(app, "cpu", {"method", "dataset"});
  Table1Options t;
  app.add_option("--methods", t.methods, "methods to run (comma separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"ae", "vae", "simclr", "supervised"}))
      ->capture_default_str();
  app.add_option("--datasets", t.datasets, "datasets to run (comma separated)")
      ->delimiter(',')
      ->check(CLI::IsMember({"mnist", "cifar10"}))
      ->capture_default_str();
  app.add_option("--results-dir", t.results_dir, "where table1.md/json, the figures and (unless --out-dir) runs/ go")
      ->capture_default_str();
  bool no_figures = false, quiet = false;
  app.add_flag("--no-figures", no_figures, "skip the t-SNE figures");
  add_number(app, "--tsne-iters", t.tsne_iters, "t-SNE iterations")->capture_default_str();
  app.add_flag("--quiet", quiet, "no progress lines");
  add_number(app, "--checkpoint-minutes", t.checkpoint_minutes,
             "also write each run's checkpoint inside an epoch this often (0: after every step)")
      ->check(non_negative())
      ->capture_default_str();
  add_number(app, "--jobs", t.jobs,
             "train this many cells at once, each in its own process on (threads / jobs) threads; 2 on 2 cores "
             "trains ~1.5x as many images per second at width 16 (docs/experiments.md)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  t.figures = !no_figures;
  t.progress = !quiet;
  try {
    const RunConfig base = options.build();  // validates the preset + overrides
    t.preset = base.preset;
    t.overrides = options.given();
    t.threads_per_job = threads_per_job(t.jobs);
    t.executable = std::filesystem::read_symlink("/proc/self/exe").string();
    const RunLock lock(t.results_dir, "table1");  // one table1 per results directory
    const nlohmann::json doc = run_table1(t);
    std::printf("%s", table1_markdown(doc).c_str());
    std::fprintf(stderr, "wrote %s/table1.md and table1.json\n", t.results_dir.c_str());
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "table1: %s\nresume with: %s\n", e.user_message(), resume_command(argc, argv, false).c_str());
    return e.exit_status();
  } catch (const TrainingDiverged& e) {
    return report_error("table1", e, 3);
  } catch (const std::exception& e) {
    return report_error("table1", e);
  }
  return 0;
}
