// epoch_progress.cpp - see epoch_progress.h.
#include "experiments/epoch_progress.h"

#include <nlohmann/json.hpp>

#include "tensor/error.h"

namespace dl::experiments {

void put_epoch_progress(const EpochProgress& p, std::map<std::string, std::string>& extra) {
  if (p.batches == 0) return;
  // nlohmann prints doubles with enough digits to read back the same bits.
  const nlohmann::json j = {{"batches", p.batches},       {"nbatches", p.nbatches}, {"nimages", p.nimages},
                            {"train_seconds", p.train_seconds}, {"sums", p.sums}};
  extra["epoch_progress"] = j.dump();
}

EpochProgress get_epoch_progress(const std::map<std::string, std::string>& extra) {
  EpochProgress p;
  const auto it = extra.find("epoch_progress");
  if (it == extra.end()) return p;
  try {
    const nlohmann::json j = nlohmann::json::parse(it->second);
    p.batches = j.at("batches").get<int64_t>();
    p.nbatches = j.at("nbatches").get<int64_t>();
    p.nimages = j.at("nimages").get<int64_t>();
    p.train_seconds = j.at("train_seconds").get<double>();
    p.sums = j.at("sums").get<std::map<std::string, double>>();
  } catch (const nlohmann::json::exception& e) {
    DL_FAIL("checkpoint: malformed epoch_progress '", it->second, "': ", e.what());
  }
  DL_CHECK(p.batches > 0 && p.nbatches >= 0 && p.nbatches <= p.batches && p.nimages >= 0,
           "checkpoint: epoch_progress out of range: ", it->second);
  return p;
}

}  // namespace dl::experiments
