// table1_jobs.h - `table1 --jobs N`: train the table's cells N at a time, each in its own
// process on (threads / N) threads.
//
// Why processes: at the `cpu` preset's width 16 the layers are too small for two threads to
// share one step well, while two independent runs on one thread each keep both cores busy
// (docs/experiments.md, "Parallel cells", gives the measured throughput). Separate processes
// share no state, so each cell computes exactly what a one-thread `table1` computes.
//
// Each job is this same program, re-executed for one cell:
//   <exe> --preset P <the overrides> --methods M --datasets D --out-dir <results>/runs
//         --results-dir <results>/cells/<dataset>_<method> --no-figures
// with OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = threads / N, its output in
// <results>/logs/<dataset>_<method>.log. A job trains its run and its post-hoc probe; afterwards
// the ordinary sequential table1 finds every run and probe finished, reuses them and writes the
// table, the curves and the t-SNE figures. The jobs run in their own process group: a Ctrl-C or
// SIGTERM reaches table1 only, which passes it once to every running job (each then checkpoints
// and stops) and exits as an interrupted table1 does; running the same command again resumes.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "experiments/table1.h"

namespace dl::experiments {

// Trains every cell of `opt` (datasets x methods, the paper's order) opt.jobs at a time; returns
// the cells ("<dataset>_<method>") whose jobs ran. Throws dl::Error naming the cell, its exit
// status and its log when a job fails (after the jobs still running have finished), Interrupted
// when a signal stopped them.
std::set<std::string> train_cells_in_jobs(const Table1Options& opt);

// This process's thread count (OMP_NUM_THREADS, else the cores) shared among `jobs`, at least 1.
int threads_per_job(int jobs);

// The command line of one cell's job (without the program itself), for tests and the log.
std::vector<std::string> job_arguments(const Table1Options& opt, const std::string& dataset, const std::string& method);

}  // namespace dl::experiments
