// progress.cpp - see progress.h.
#include "experiments/progress.h"

#include <unistd.h>

#include <cmath>

namespace dl::experiments {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[32];
  const long t = std::lround(s);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

Progress::Progress(std::string label, int64_t epoch, int64_t total_epochs, int64_t batches_per_epoch, bool enabled,
                   double plain_interval_s, std::FILE* out)
    : label_(std::move(label)),
      epoch_(epoch),
      total_epochs_(total_epochs),
      batches_(batches_per_epoch),
      enabled_(enabled),
      tty_(isatty(fileno(out)) != 0),
      interval_(plain_interval_s),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::images_per_second() const {
  const double t = elapsed_seconds();
  return t > 0 ? images_ / t : 0.0;
}

void Progress::update(int64_t batch_index, int64_t batch_images, double loss, const std::string& extra) {
  update(batch_index, batch_images, [loss] { return loss; }, extra);
}

void Progress::update(int64_t batch_index, int64_t batch_images, const std::function<double()>& read_loss,
                      const std::string& extra) {
  images_ += batch_images;
  done_ = batch_index + 1;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (!tty_ && since < interval_) return;
  if (tty_ && since < 0.2 && done_ < batches_) return;  // redraw at most 5 times a second
  last_print_ = now;
  const double loss = read_loss();
  const double per_batch = elapsed_seconds() / double(done_);
  const double epoch_eta = per_batch * double(batches_ - done_);
  const double run_eta = epoch_eta + per_batch * double(batches_) * double(total_epochs_ - epoch_);
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s epoch %lld/%lld [%lld/%lld] loss %.4f%s%s | %.0f img/s | epoch ETA %s, run ETA %s",
                label_.c_str(), (long long)epoch_, (long long)total_epochs_, (long long)done_, (long long)batches_, loss,
                extra.empty() ? "" : " ", extra.c_str(), images_per_second(), format_duration(epoch_eta).c_str(),
                format_duration(run_eta).c_str());
  draw(false, buf);
}

void Progress::finish(const std::string& summary) {
  if (!enabled_) return;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s epoch %lld/%lld done in %s (%.0f img/s): %s", label_.c_str(), (long long)epoch_,
                (long long)total_epochs_, format_duration(elapsed_seconds()).c_str(), images_per_second(),
                summary.c_str());
  draw(true, buf);
}

void Progress::draw(bool final_line, const std::string& text) {
  if (tty_)
    std::fprintf(out_, "\r\033[K%s%s", text.c_str(), final_line ? "\n" : "");
  else
    std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

}  // namespace dl::experiments
