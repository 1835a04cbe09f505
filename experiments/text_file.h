// text_file.h - small text outputs (config.json, result.json, table1.md) written so that a
// killed run leaves either the old file or the new one, never half of one.
#pragma once
#include <string>

namespace dl::experiments {

// Writes `text` to path + ".tmp", then renames it over `path`. Errors name the file.
void write_text_atomic(const std::string& path, const std::string& text);

}  // namespace dl::experiments
