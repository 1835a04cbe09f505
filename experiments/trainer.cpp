// trainer.cpp - see trainer.h.
#include "experiments/trainer.h"

#include <omp.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>

#include "data/loader.h"
#include "experiments/data_limits.h"
#include "experiments/debug_dump.h"
#include "experiments/epoch_progress.h"
#include "experiments/evaluate.h"
#include "experiments/interrupt.h"
#include "experiments/loss_sums.h"
#include "experiments/losses.h"
#include "experiments/model.h"
#include "experiments/progress.h"
#include "experiments/text_file.h"
#include "experiments/run_data.h"
#include "experiments/run_lock.h"
#include "nn/adam.h"
#include "nn/checkpoint.h"
#ifdef DL_WITH_CUDA
#include "kernels/cuda/cuda_backend.h"
#endif
#include "nn/schedule.h"

namespace fs = std::filesystem;

namespace dl::experiments {

std::string checkpoint_path(const std::string& d) { return (fs::path(d) / "checkpoint.safetensors").string(); }
std::string features_path(const std::string& d) { return (fs::path(d) / "features_val.safetensors").string(); }
std::string recon_path(const std::string& d) { return (fs::path(d) / "recon.png").string(); }
std::string metrics_path(const std::string& d) { return (fs::path(d) / "metrics.jsonl").string(); }
std::string result_path(const std::string& d) { return (fs::path(d) / "result.json").string(); }

std::string describe_device(Device d) {
  if (d == Device::CUDA) return "cuda";
  std::string model = "unknown CPU";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return "cpu (" + std::to_string(omp_get_max_threads()) + " threads, " + model + ")";
}

nlohmann::json to_json(const TrainResult& r) {
  return {{"config", to_json(r.config)},
          {"run_dir", r.run_dir},
          {"device", r.device},
          {"finished", r.finished},
          {"epochs_done", r.epochs_done},
          {"steps", r.steps},
          {"wall_seconds", r.wall_seconds},
          {"train_seconds", r.train_seconds},
          {"val_acc", r.val_acc},
          {"best_val_acc", r.best_val_acc},
          {"best_epoch", r.best_epoch},
          {"test_acc", r.test_acc},
          {"seconds_per_step", r.seconds_per_step},
          {"images_per_second", r.images_per_second}};
}

TrainResult train_result_from_json(const nlohmann::json& j) {
  TrainResult r;
  r.config = config_from_json(j.at("config"));
  r.run_dir = j.at("run_dir");
  r.device = j.at("device");
  r.finished = j.at("finished");
  r.epochs_done = j.at("epochs_done");
  r.steps = j.at("steps");
  r.wall_seconds = j.at("wall_seconds");
  r.train_seconds = j.at("train_seconds");
  r.val_acc = j.at("val_acc");
  r.best_val_acc = j.at("best_val_acc");
  r.best_epoch = j.at("best_epoch");
  r.test_acc = j.at("test_acc");
  r.seconds_per_step = j.at("seconds_per_step");
  r.images_per_second = j.at("images_per_second");
  return r;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Keeps the metrics of epochs <= last_epoch (an interrupted run may have logged an epoch whose
// checkpoint it did not write); rebuilds best/last accuracies from what is kept.
void truncate_metrics(const std::string& path, int64_t last_epoch, TrainResult& r) {
  std::vector<std::string> kept;
  {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const nlohmann::json j = nlohmann::json::parse(line);
      if (j.at("epoch").get<int64_t>() > last_epoch) continue;
      kept.push_back(line);
      const double v = j.at("val_acc");
      if (v > r.best_val_acc || r.best_epoch == 0) r.best_val_acc = v, r.best_epoch = j.at("epoch");
      r.val_acc = v;
      r.test_acc = j.at("test_acc");
      r.seconds_per_step = j.at("seconds_per_step");
      r.images_per_second = j.at("images_per_second");
    }
  }
  std::string text;
  for (const std::string& l : kept) text += l + "\n";
  write_text_atomic(path, text);
}

std::string loss_summary(const std::map<std::string, double>& sums, int64_t n) {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : sums) {
    std::snprintf(buf, sizeof buf, "%s%s %.4f", s.empty() ? "" : ", ", k.c_str(), v / double(n));
    s += buf;
  }
  return s;
}

// The learning-rate schedule of a run (RunConfig::lr_schedule) as a function of the global step.
std::unique_ptr<nn::LrSchedule> make_schedule(const RunConfig& cfg, int64_t batches_per_epoch) {
  const auto lr = static_cast<float>(cfg.lr);
  if (cfg.lr_schedule == "constant") return std::make_unique<nn::ConstantLr>(lr);
  const int64_t total = cfg.epochs * batches_per_epoch;
  const int64_t warmup = std::min<int64_t>(std::llround(cfg.warmup_epochs * double(batches_per_epoch)), total - 1);
  return std::make_unique<nn::WarmupCosineLr>(lr, warmup, total);
}

}  // namespace

StepResult train_step(nn::Optimizer& optimizer, const std::function<StepLoss()>& forward, bool read_total) {
  StepResult s;
  s.loss = forward();  // records the tape
  if (read_total) {    // the CPU: reading is free (on CUDA it would wait for the GPU)
    s.total = s.loss.total.item();
    if (!std::isfinite(s.total)) return s;  // diverged: nothing is updated
  }
  optimizer.zero_grad();    // drops the previous step's parameter gradients
  s.loss.total.backward();  // runs the tape: every parameter's .grad
  optimizer.step();         // the update, from .grad and the optimizer's state
  s.updated = true;
  return s;
}

TrainResult train(const RunConfig& cfg, const TrainOptions& opt) {
  cfg.validate();
  const Device device = resolve_device(cfg.device);
#ifdef DL_WITH_CUDA
  std::optional<cuda::Tf32Scope> tf32;  // --tf32: TF32 tensor-core GEMMs for this run (no effect on the CPU)
  if (device == Device::CUDA) tf32.emplace(cfg.tf32);
#endif
  const std::string dir = cfg.run_dir();
  fs::create_directories(dir);
  const RunLock lock(dir, program_invocation_short_name);  // one writer per run directory
  const std::string ckpt = checkpoint_path(dir);
  const std::string label = cfg.run_name();

  TrainResult r;
  r.config = cfg;
  r.run_dir = dir;
  r.device = describe_device(device);

  // A finished run with the same settings is reused as it is.
  if (opt.resume && fs::exists(result_path(dir))) {
    std::ifstream in(result_path(dir));
    const TrainResult done = train_result_from_json(nlohmann::json::parse(in));
    if (done.finished && done.epochs_done == cfg.epochs && resume_mismatch(done.config, cfg).empty()) {
      TrainResult out = done;
      out.reused = true;
      return out;
    }
  }

  const RunData data = load_run_data(cfg);
  warn_limits_beyond_data(cfg, data);
  Generator init_gen(cfg.seed);
  Image2Vec model(cfg, init_gen);
  model.to(device);
  nn::AdamOptions ao;
  ao.lr = static_cast<float>(cfg.lr), ao.beta1 = static_cast<float>(cfg.beta1), ao.beta2 = static_cast<float>(cfg.beta2);
  ao.eps = static_cast<float>(cfg.adam_eps), ao.weight_decay = static_cast<float>(cfg.weight_decay);
  nn::Adam adam(model.named_parameters(), ao);
  Generator noise_gen(cfg.seed + 1);  // the VAE's eps; a different Philox key than the init stream
  const nn::GeneratorList gens = {{"noise", &noise_gen}};

  int64_t start_epoch = 0;
  EpochProgress resumed_part;  // the part of start_epoch already trained (mid-epoch checkpoint)
  double wall_before = 0, train_before = 0;
  if (opt.resume && fs::exists(ckpt)) {
    const nn::CheckpointInfo info = nn::load_checkpoint(ckpt, model, &adam, gens);
    const RunConfig saved = config_from_json(nlohmann::json::parse(info.extra.at("config")));
    const std::string why = resume_mismatch(saved, cfg);
    DL_CHECK(why.empty(), "cannot resume ", ckpt, " with different settings: ", why,
             " (start over without --resume, or use another --out-dir)");
    start_epoch = info.epoch;
    resumed_part = get_epoch_progress(info.extra);
    r.steps = info.step;
    wall_before = std::stod(info.extra.at("wall_seconds"));
    train_before = std::stod(info.extra.at("train_seconds"));
    truncate_metrics(metrics_path(dir), start_epoch, r);
    if (opt.progress)
      std::fprintf(stderr, "%s: resuming from %s (epoch %lld of %lld, batch %lld)\n", label.c_str(), ckpt.c_str(),
                   (long long)start_epoch, (long long)cfg.epochs, (long long)resumed_part.batches);
  } else {
    for (const std::string& p : {ckpt, metrics_path(dir), result_path(dir), features_path(dir), recon_path(dir)})
      fs::remove(p);
  }
  write_text_atomic((fs::path(dir) / "config.json").string(), to_json(cfg).dump(2) + "\n");
  const DebugDump dump(opt.debug_dump_dir);
  if (start_epoch == 0 && resumed_part.batches == 0) dump.write_start(model, cfg, *data.val);

  data::LoaderConfig lc;
  lc.batch_size = cfg.batch_size;
  lc.shuffle = true;
  lc.drop_last = cfg.drop_last;
  lc.views = cfg.method_enum() == Method::SimCLR || cfg.view_passes;
  lc.num_threads = cfg.loader_threads;
  lc.seed = cfg.seed;
  data::Loader loader(data.train, lc);
  const bool has_decoder = model.decoder != nullptr;
  DL_CHECK(resumed_part.batches <= loader.num_batches(), ckpt, ": resumes at batch ", resumed_part.batches,
           " but an epoch has ", loader.num_batches());
  const std::unique_ptr<nn::LrSchedule> schedule = make_schedule(cfg, loader.num_batches());

  // The checkpoint after `epochs_done` epochs and `part` of the next one.
  auto save = [&](int64_t epochs_done, const EpochProgress& part, double train_seconds, double wall_seconds) {
    nn::CheckpointInfo info;
    info.epoch = epochs_done;
    info.step = r.steps;
    info.extra = {{"config", to_json(cfg).dump()},
                  {"wall_seconds", std::to_string(wall_seconds)},
                  {"train_seconds", std::to_string(train_seconds)},
                  {"val_acc", std::to_string(r.val_acc)}};
    put_epoch_progress(part, info.extra);
    nn::save_checkpoint(ckpt, model, &adam, info, gens);
  };
  // A non-finite loss stops the run with this message; `what` says where it was found.
  auto diverged = [&](const std::string& what, int64_t epoch, int64_t batch_index, const std::string& details) {
    const bool have_ckpt = fs::exists(ckpt);
    return TrainingDiverged(detail::concat(
        label, ": non-finite loss ", what, " (epoch ", epoch + 1, ", batch ", batch_index + 1, " of ",
        loader.num_batches(), "; ", details, " lr ", adam.lr(), "). Training stopped; ",
        have_ckpt ? "the last good checkpoint is " + ckpt + " (epoch " + std::to_string(epoch) + ")"
                  : std::string("no checkpoint had been written yet")));
  };
  // Where the loop reads the loss on CUDA (loss_sums.h; on the CPU there is nothing left to read):
  // when the progress line is drawn, before every checkpoint and at the end of the epoch - the
  // only synchronizations of the training loop. A non-finite loss since the last read stops the
  // run there, before the checkpoint is written.
  auto read_losses = [&](LossSums& losses, int64_t epoch, int64_t batch_index) {
    const int64_t unread = losses.unread_steps();
    if (losses.read()) return;
    throw diverged(detail::concat("in steps ", r.steps - unread, "..", r.steps - 1), epoch, batch_index,
                   "on CUDA the loss is read only at the progress line, a checkpoint and the epoch's end, so "
                   "these steps were applied; their sums: " + losses.last_read_text() + ";");
  };
  const InterruptGuard interrupts;  // SIGINT / SIGTERM: checkpoint after the current step
  CheckpointClock clock(opt.checkpoint_minutes);

  const auto session_start = std::chrono::steady_clock::now();
  double session_train = 0;
  int64_t epochs_this_session = 0;
  for (int64_t epoch = start_epoch; epoch < cfg.epochs; ++epoch) {
    if (opt.stop_after_epochs >= 0 && epochs_this_session >= opt.stop_after_epochs) break;
    model.train();
    const EpochProgress before = epoch == start_epoch ? resumed_part : EpochProgress{};
    loader.start_epoch(epoch, before.batches);
    Progress bar(label, epoch + 1, cfg.epochs, loader.num_batches(), opt.progress, opt.progress_interval_s);
    LossSums losses(device, before.sums);
    int64_t nbatches = before.nbatches, nimages = before.nimages, batch_index = before.batches - 1;
    const auto t_epoch = std::chrono::steady_clock::now();
    data::Batch b;
    while (loader.next(b)) {
      // Batch norm cannot train on one sample (PyTorch raises too); only possible for a last
      // batch of 1 with drop_last false, which the paper's sizes never produce.
      if (b.size() < 2) continue;
      const Tensor dumped_noise = dump.peek_noise(model, cfg, noise_gen, b.size());
      adam.set_lr(schedule->lr(r.steps));
      const StepResult step = train_step(
          adam,
          [&] {
            StepLoss l = training_loss(model, cfg, b.clean.to(device),
                                       b.view1.defined() ? b.view1.to(device) : Tensor(),
                                       b.view2.defined() ? b.view2.to(device) : Tensor(), b.labels.to(device), noise_gen);
            // Through the tape, so that on CUDA (no check before the update) the NaN reaches the
            // weights, as a real divergence does.
            if (r.steps == cfg.inject_nan_step) l.total = mul_scalar(l.total, std::nanf(""));
            return l;
          },
          /*read_total=*/device == Device::CPU);
      const StepLoss& loss = step.loss;
      if (!step.updated) {
        std::string parts;
        for (const auto& [k, v] : loss.parts) parts += " " + k + " = " + std::to_string(v.item()) + ";";
        throw diverged(detail::concat(step.total, " at step ", r.steps), epoch, b.index, "parts:" + parts);
      }
      dump.write_step(r.steps, b, dumped_noise, loss, model);
      ++r.steps;
      losses.add(loss, step.total);
      ++nbatches;
      nimages += b.size();
      batch_index = b.index;
      bar.update(b.index, b.size(), [&] {
        read_losses(losses, epoch, b.index);
        return losses.last_total();
      });
      if (opt.after_step) opt.after_step(r.steps);
      if (interrupt_signal() != 0 || clock.due()) {
        read_losses(losses, epoch, b.index);  // before the time is taken: the GPU has finished the steps
        const double in_epoch = seconds_since(t_epoch);
        save(epoch, {b.index + 1, nbatches, nimages, before.train_seconds + in_epoch, losses.sums()},
             train_before + session_train + in_epoch, wall_before + seconds_since(session_start));
        clock.restart();
        if (const int sig = interrupt_signal())
          throw Interrupted(sig, detail::concat(label, ": ", signal_name(sig), " after step ", r.steps, " (epoch ",
                                                epoch + 1, ", batch ", b.index + 1, " of ", loader.num_batches(),
                                                "); the checkpoint ", ckpt, " is saved"));
      }
    }
    read_losses(losses, epoch, batch_index);  // the epoch's steps have run on the GPU before its time is taken
    const double train_s = before.train_seconds + seconds_since(t_epoch);
    session_train += seconds_since(t_epoch);

    // Evaluation: the online probe on the validation split (the paper's number) and on the
    // official test set (its first test_limit images; 0 = all).
    const auto t_eval = std::chrono::steady_clock::now();
    const Accuracy val = probe_accuracy(model, *data.val);
    const Accuracy test = probe_accuracy(model, *data.test, cfg.test_limit);
    if (has_decoder && cfg.recon_images > 0) write_reconstructions(model, *data.val, cfg.recon_images, recon_path(dir));
    const double eval_s = seconds_since(t_eval);

    r.val_acc = val.value();
    r.test_acc = test.value();
    if (r.best_epoch == 0 || r.val_acc > r.best_val_acc) r.best_val_acc = r.val_acc, r.best_epoch = epoch + 1;
    r.seconds_per_step = nbatches ? train_s / double(nbatches) : 0;
    r.images_per_second = train_s > 0 ? double(nimages) / train_s : 0;
    r.epochs_done = epoch + 1;
    r.train_seconds = train_before + session_train;
    r.wall_seconds = wall_before + seconds_since(session_start);

    nlohmann::json line = {{"epoch", epoch + 1},      {"step", r.steps},
                           {"val_acc", r.val_acc},    {"val_images", val.total},
                           {"test_acc", r.test_acc},  {"test_images", test.total},
                           {"train_seconds", train_s}, {"eval_seconds", eval_s},
                           {"seconds_per_step", r.seconds_per_step}, {"images_per_second", r.images_per_second},
                           {"wall_seconds", r.wall_seconds}, {"lr", cfg.lr}, {"last_step_lr", adam.lr()}};
    for (const auto& [k, v] : losses.sums()) line["train_" + k] = v / double(std::max<int64_t>(nbatches, 1));
    {
      std::ofstream out(metrics_path(dir), std::ios::app);
      out << line.dump() << "\n";
      DL_CHECK(out.good(), "cannot append to ", metrics_path(dir));
    }
    save(epoch + 1, EpochProgress{}, r.train_seconds, r.wall_seconds);
    clock.restart();
    char acc[160];
    std::snprintf(acc, sizeof acc, "val acc %.1f%%, test acc %.1f%% (%lld images), eval %s", 100 * r.val_acc,
                  100 * r.test_acc, (long long)test.total, format_duration(eval_s).c_str());
    bar.finish(loss_summary(losses.sums(), std::max<int64_t>(nbatches, 1)) + "; " + acc);
    ++epochs_this_session;
    if (const int sig = interrupt_signal())
      throw Interrupted(sig, detail::concat(label, ": ", signal_name(sig), " after epoch ", epoch + 1,
                                            "; the checkpoint ", ckpt, " is saved"));
  }

  r.epochs_done = std::max(r.epochs_done, start_epoch);
  r.finished = r.epochs_done >= cfg.epochs;
  if (r.finished) {
    if (epochs_this_session == 0) {  // resumed a finished checkpoint without result.json
      r.val_acc = probe_accuracy(model, *data.val).value();
      r.test_acc = probe_accuracy(model, *data.test, cfg.test_limit).value();
      r.wall_seconds = wall_before, r.train_seconds = train_before;
    }
    write_features(model, *data.val, features_path(dir));
    write_text_atomic(result_path(dir), to_json(r).dump(2) + "\n");
  }
  return r;
}

}  // namespace dl::experiments
