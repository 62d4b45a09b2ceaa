#include "quench/sink/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace quench {

namespace {
constexpr size_t kBufferBytes = 1 << 20;
}

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Create(const std::string& path) {
  std::string tmp = fmt::format("{}.tmp.{}", path, getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return MakeError(ErrorCode::kIoError,
                     fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  }
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(path, std::move(tmp), f));
}

AtomicFileWriter::AtomicFileWriter(std::string path, std::string tmp_path, FILE* file)
    : path_(std::move(path)), tmp_path_(std::move(tmp_path)), file_(file),
      buffer_(new char[kBufferBytes]) {
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferBytes);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(tmp_path_.c_str());
}

void AtomicFileWriter::Write(std::string_view text) {
  if (failed_ || text.empty()) return;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) failed_ = true;
}

Status AtomicFileWriter::Commit() {
  bool ok = !failed_ && std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  int err = errno;
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (!ok) {
    return MakeError(ErrorCode::kIoError,
                     fmt::format("{}: write failed: {}", path_, std::strerror(err)));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return MakeError(ErrorCode::kIoError,
                     fmt::format("{}: cannot replace: {}", path_, std::strerror(errno)));
  }
  committed_ = true;
  return OkStatus();
}

Status WriteFileAtomically(const std::string& path, std::string_view text) {
  QUENCH_ASSIGN_OR_RETURN(auto writer, AtomicFileWriter::Create(path));
  writer->Write(text);
  return writer->Commit();
}

}  // namespace quench
