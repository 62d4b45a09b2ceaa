// CaptureWriter: writes frames to a pcap (microsecond or nanosecond) or pcapng file through
// one large buffer flushed with fwrite; no libpcap, no per-packet allocation. Owns its FILE*.
// Not thread-safe; one writer per file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "quench/core/status.h"
#include "quench/core/time.h"

namespace pcapgen {

enum class FileFormat : uint8_t { kPcap, kPcapNs, kPcapng };

class CaptureWriter {
 public:
  static constexpr uint32_t kSnapLen = 262144;

  // Opens `path` ("-" is stdout) and writes the file header.
  static quench::Result<std::unique_ptr<CaptureWriter>> Open(const std::string& path, FileFormat format,
                                                             uint32_t linktype,
                                                             size_t buffer_bytes = 8u << 20);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // Appends one frame. REQUIRES: len <= kSnapLen.
  void Write(quench::Timestamp ts, const uint8_t* data, uint32_t len);
  // Zero-copy path: returns room for a frame of up to max_len bytes inside the buffer; the
  // caller writes the frame there and calls CommitRecord with its real length.
  // REQUIRES: max_len <= kSnapLen; no other call in between.
  uint8_t* ReserveRecord(uint32_t max_len);
  void CommitRecord(quench::Timestamp ts, uint32_t len);
  // Flushes and closes; reports the first I/O error seen.
  quench::Status Close();

  uint64_t packets() const { return packets_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  CaptureWriter(std::FILE* file, bool owns, FileFormat format, size_t buffer_bytes);
  void Append(const void* data, size_t len);
  void Flush();
  size_t RecordHeaderLen() const { return format_ == FileFormat::kPcapng ? 28 : 16; }
  void WriteRecordHeader(uint8_t* hdr, quench::Timestamp ts, uint32_t len) const;

  std::FILE* file_;
  bool owns_file_;
  FileFormat format_;
  std::vector<uint8_t> buffer_;
  size_t used_ = 0;
  bool io_error_ = false;
  uint64_t packets_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace pcapgen
