#include "capture_writer.h"

#include <cerrno>
#include <cstring>

#include "quench/core/check.h"

namespace pcapgen {

namespace {

// Little-endian helpers: the files are written little-endian, whatever the host.
void Le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void Le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void Le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

quench::Result<std::unique_ptr<CaptureWriter>> CaptureWriter::Open(const std::string& path,
                                                                   FileFormat format, uint32_t linktype,
                                                                   size_t buffer_bytes) {
  std::FILE* file = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return quench::MakeError(quench::ErrorCode::kIoError,
                             path + ": cannot open for writing: " + std::strerror(errno));
  }
  std::unique_ptr<CaptureWriter> w(new CaptureWriter(file, path != "-", format, buffer_bytes));
  if (format == FileFormat::kPcapng) {
    uint8_t shb[28];
    Le32(shb, 0x0a0d0d0a);
    Le32(shb + 4, 28);
    Le32(shb + 8, 0x1a2b3c4d);
    Le16(shb + 12, 1);
    Le16(shb + 14, 0);
    Le64(shb + 16, ~uint64_t{0});  // section length unknown
    Le32(shb + 24, 28);
    w->Append(shb, sizeof(shb));
    // IDB with if_tsresol = 9 (nanoseconds).
    uint8_t idb[32];
    Le32(idb, 1);
    Le32(idb + 4, 32);
    Le16(idb + 8, static_cast<uint16_t>(linktype));
    Le16(idb + 10, 0);
    Le32(idb + 12, kSnapLen);
    Le16(idb + 16, 9);  // if_tsresol
    Le16(idb + 18, 1);
    idb[20] = 9;
    idb[21] = idb[22] = idb[23] = 0;
    Le16(idb + 24, 0);  // opt_endofopt
    Le16(idb + 26, 0);
    Le32(idb + 28, 32);
    w->Append(idb, sizeof(idb));
  } else {
    uint8_t hdr[24];
    Le32(hdr, format == FileFormat::kPcapNs ? 0xa1b23c4d : 0xa1b2c3d4);
    Le16(hdr + 4, 2);
    Le16(hdr + 6, 4);
    Le32(hdr + 8, 0);
    Le32(hdr + 12, 0);
    Le32(hdr + 16, kSnapLen);
    Le32(hdr + 20, linktype);
    w->Append(hdr, sizeof(hdr));
  }
  return w;
}

CaptureWriter::CaptureWriter(std::FILE* file, bool owns, FileFormat format, size_t buffer_bytes)
    : file_(file), owns_file_(owns), format_(format), buffer_(buffer_bytes < 2 * kSnapLen ? 2 * kSnapLen : buffer_bytes) {}

CaptureWriter::~CaptureWriter() { (void)Close(); }

void CaptureWriter::WriteRecordHeader(uint8_t* hdr, quench::Timestamp ts, uint32_t len) const {
  if (format_ == FileFormat::kPcapng) {
    const uint32_t padded = (len + 3) & ~3u;
    const uint64_t t = static_cast<uint64_t>(ts);
    Le32(hdr, 6);
    Le32(hdr + 4, 32 + padded);
    Le32(hdr + 8, 0);  // interface id
    Le32(hdr + 12, static_cast<uint32_t>(t >> 32));
    Le32(hdr + 16, static_cast<uint32_t>(t));
    Le32(hdr + 20, len);
    Le32(hdr + 24, len);
    return;
  }
  const int64_t secs = ts / quench::kNanosPerSecond;
  const int64_t frac_ns = ts % quench::kNanosPerSecond;
  Le32(hdr, static_cast<uint32_t>(secs));
  Le32(hdr + 4, static_cast<uint32_t>(format_ == FileFormat::kPcapNs ? frac_ns : frac_ns / 1000));
  Le32(hdr + 8, len);
  Le32(hdr + 12, len);
}

void CaptureWriter::Write(quench::Timestamp ts, const uint8_t* data, uint32_t len) {
  uint8_t* room = ReserveRecord(len);
  std::memcpy(room, data, len);
  CommitRecord(ts, len);
}

uint8_t* CaptureWriter::ReserveRecord(uint32_t max_len) {
  QUENCH_CHECK(max_len <= kSnapLen);
  const size_t need = RecordHeaderLen() + max_len + 8;  // + pcapng padding and trailer
  if (used_ + need > buffer_.size()) Flush();
  return buffer_.data() + used_ + RecordHeaderLen();
}

void CaptureWriter::CommitRecord(quench::Timestamp ts, uint32_t len) {
  ++packets_;
  uint8_t* hdr = buffer_.data() + used_;
  WriteRecordHeader(hdr, ts, len);
  used_ += RecordHeaderLen() + len;
  if (format_ == FileFormat::kPcapng) {
    const uint32_t padded = (len + 3) & ~3u;
    for (uint32_t i = len; i < padded; ++i) buffer_[used_++] = 0;
    Le32(buffer_.data() + used_, 32 + padded);
    used_ += 4;
  }
}

void CaptureWriter::Append(const void* data, size_t len) {
  if (used_ + len > buffer_.size()) Flush();
  if (len > buffer_.size()) {  // cannot happen with the minimum buffer, kept for safety
    if (std::fwrite(data, 1, len, file_) != len) io_error_ = true;
    bytes_written_ += len;
    return;
  }
  std::memcpy(buffer_.data() + used_, data, len);
  used_ += len;
}

void CaptureWriter::Flush() {
  if (used_ == 0 || file_ == nullptr) return;
  if (std::fwrite(buffer_.data(), 1, used_, file_) != used_) io_error_ = true;
  bytes_written_ += used_;
  used_ = 0;
}

quench::Status CaptureWriter::Close() {
  if (file_ == nullptr) return quench::OkStatus();
  Flush();
  if (std::fflush(file_) != 0) io_error_ = true;
  if (owns_file_ && std::fclose(file_) != 0) io_error_ = true;
  file_ = nullptr;
  if (io_error_) return quench::MakeError(quench::ErrorCode::kIoError, "write failed");
  return quench::OkStatus();
}

}  // namespace pcapgen
