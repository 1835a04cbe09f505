// make_seeds.cpp - writes the seed corpora of the fuzz targets: small valid inputs made here,
// not taken from the datasets (a few KB each). Deterministic, so the committed corpora under
// fuzz/corpus/<target>/ can be regenerated: make_seeds <corpus dir>.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "autograd/tape.h"
#include "fuzz/entries.h"

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

namespace {

std::string g_root;

void put(const std::string& target, const std::string& name, const Bytes& b) {
  fs::create_directories(fs::path(g_root) / target);
  std::ofstream out(fs::path(g_root) / target / ("seed_" + name), std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// gzip of `b` via zlib's gz* writer (header mtime 0: deterministic).
Bytes gz(const Bytes& b) {
  const std::string tmp = (fs::temp_directory_path() / "dl_make_seeds.gz").string();
  gzFile f = gzopen(tmp.c_str(), "wb9");
  if (!b.empty()) gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
  Bytes out = read_file(tmp);
  fs::remove(tmp);
  return out;
}

void be32(Bytes& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

Bytes idx_images(uint32_t n) {
  Bytes b;
  be32(b, 2051), be32(b, n), be32(b, 28), be32(b, 28);
  for (uint32_t i = 0; i < n * 784; ++i) b.push_back(static_cast<uint8_t>((i * 7) % 256));
  return b;
}

Bytes idx_labels(uint32_t n) {
  Bytes b;
  be32(b, 2049), be32(b, n);
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % 10));
  return b;
}

Bytes mnist_input(const Bytes& images, const Bytes& labels) {
  Bytes b = {static_cast<uint8_t>(images.size() & 0xff), static_cast<uint8_t>(images.size() >> 8)};
  b.insert(b.end(), images.begin(), images.end());
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

Bytes cifar_records(int n) {
  Bytes b;
  for (int r = 0; r < n; ++r) {
    b.push_back(static_cast<uint8_t>(r % 10));
    for (int i = 0; i < 3072; ++i) b.push_back(static_cast<uint8_t>((i + r) % 251));
  }
  return b;
}

Bytes text(const std::string& s, uint8_t first) {
  Bytes b = {first};
  b.insert(b.end(), s.begin(), s.end());
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus dir>\n");
    return 2;
  }
  g_root = argv[1];
  using namespace dl;

  put("mnist_idx", "two_plain", mnist_input(idx_images(2), idx_labels(2)));
  put("mnist_idx", "one_gzipped", mnist_input(gz(idx_images(1)), gz(idx_labels(1))));

  put("cifar10", "two_plain", cifar_records(2));
  put("cifar10", "one_gzipped", gz(cifar_records(1)));

  const std::string hello = "the quick brown fox jumps over the lazy dog\n";
  put("gzip", "text_gzipped", gz(Bytes(hello.begin(), hello.end())));
  put("gzip", "text_plain", Bytes(hello.begin(), hello.end()));
  put("gzip", "empty_gzipped", gz({}));
  Bytes two = gz(Bytes(hello.begin(), hello.begin() + 10));
  const Bytes second = gz(Bytes(hello.begin() + 10, hello.end()));
  two.insert(two.end(), second.begin(), second.end());
  put("gzip", "two_members", two);

  const std::string tmp = (fs::temp_directory_path() / "dl_make_seeds.safetensors").string();
  write_safetensors(tmp, {{"w", from_vector({1, 2, 3, 4, 5, 6}, {2, 3})}, {"labels", from_vector_i32({0, 1}, {2})}},
                    {{"note", "seed"}});
  put("safetensors", "two_tensors", read_file(tmp));
  write_safetensors(tmp, {}, {});
  put("safetensors", "empty", read_file(tmp));

  fuzz::FuzzModel m;
  nn::save_checkpoint(tmp, m.model, m.adam.get(), {}, m.gens());
  put("checkpoint", "before_step", read_file(tmp));
  // One Adam step, so the checkpoint holds the optimizer's moments and step counts.
  const Tensor x = from_vector({0.5f, -1, 2, 1, 0, -0.5f}, {2, 3});
  m.adam->zero_grad();
  backward(mean(m.fc2->forward(m.bn->forward(m.fc1->forward(x)))));
  m.adam->step();
  nn::CheckpointInfo info;
  info.epoch = 1, info.step = 3;
  info.extra = {{"config", "{}"}};
  nn::save_checkpoint(tmp, m.model, m.adam.get(), info, m.gens());
  put("checkpoint", "after_step", read_file(tmp));
  fs::remove(tmp);

  put("config", "smoke_json", text(experiments::to_json(experiments::preset("smoke")).dump(), 0));
  put("config", "partial_json", text("{\"epochs\": 3, \"lr\": 0.001, \"method\": \"vae\", \"seed\": 7}", 0));
  put("config", "flags", text("--preset\nsmoke\n--epochs\n3\n--lr\n1e-3\n--seed\n5\n--view-passes\nfalse", 1));
  put("config", "flags_equals", text("--method=simclr\n--dataset=cifar10\n--train-limit=100", 1));
  std::printf("wrote the seed corpora under %s\n", g_root.c_str());
  return 0;
}
