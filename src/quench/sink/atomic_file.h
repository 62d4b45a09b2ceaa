// AtomicFileWriter: writes DIR/name through a temporary file in the same directory and renames
// it over the target on Commit(), so an interrupted run leaves the previous file intact.
// Owns its FILE*; destroying an uncommitted writer removes the temporary. Not thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "quench/core/status.h"

namespace quench {

class AtomicFileWriter {
 public:
  static Result<std::unique_ptr<AtomicFileWriter>> Create(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Buffered; write errors are remembered and reported by Commit().
  void Write(std::string_view text);
  // Flushes, fsyncs and renames over the target. Errors name the file.
  Status Commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFileWriter(std::string path, std::string tmp_path, FILE* file);
  std::string path_;
  std::string tmp_path_;
  FILE* file_;
  std::unique_ptr<char[]> buffer_;
  bool failed_ = false;
  bool committed_ = false;
};

// Writes `text` to `path` atomically.
Status WriteFileAtomically(const std::string& path, std::string_view text);

}  // namespace quench
