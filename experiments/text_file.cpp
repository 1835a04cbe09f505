#include "experiments/text_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tensor/error.h"

namespace dl::experiments {

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    errno = 0;
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out.good()) {
      const int err = errno;  // the failed open or write's cause (EFBIG, ENOSPC, EACCES, ...)
      out.close();
      std::filesystem::remove(tmp);
      DL_FAIL("cannot write ", tmp, ": ", err ? std::strerror(err) : "write failed", err == ENOSPC ? " (disk full)" : "",
              "; ", path, " is unchanged");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  DL_CHECK(!ec, "cannot rename ", tmp, " to ", path, ": ", ec.message());
}

}  // namespace dl::experiments
