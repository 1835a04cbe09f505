#include "experiments/text_file.h"

#include <filesystem>
#include <fstream>

#include "tensor/error.h"

namespace dl::experiments {

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    DL_CHECK(out.good(), "cannot write ", tmp, " (disk full or no permission?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  DL_CHECK(!ec, "cannot rename ", tmp, " to ", path, ": ", ec.message());
}

}  // namespace dl::experiments
