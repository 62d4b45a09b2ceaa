// ClassicPcapRecords: reads the records of a classic (libpcap-format) capture file with one
// large read() buffer instead of libpcap's two stdio reads per record. Used by PcapFileReader
// after libpcap has opened and validated the file; pcapng and the rare pcap variants stay with
// libpcap (docs/decisions/0002-pcap-reading.md). Record headers are untrusted bytes read with
// ByteReader; a cut or broken record ends reading with an error, never a crash.
// Owns its file descriptor and buffer; a record's bytes are valid until the next Next().
// Single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "quench/core/time.h"

namespace quench {

class ClassicPcapRecords {
 public:
  struct Record {
    Timestamp ts = 0;
    const uint8_t* data = nullptr;
    uint32_t caplen = 0;      // bytes in data (never above the file's snaplen)
    uint32_t wire_len = 0;
    bool over_snaplen = false;  // the record claimed more captured bytes than the snaplen
    // The sub-second field was out of range (>= 1 s); ts still adds it, as an offset.
    bool bad_fraction = false;
  };

  // nullptr when `path` is not a classic pcap file (pcapng, another variant, unreadable):
  // the caller keeps reading it with libpcap. `snaplen` is libpcap's pcap_snapshot().
  static std::unique_ptr<ClassicPcapRecords> Open(const std::string& path, uint32_t snaplen);
  // The same over an open descriptor positioned at the start of the file; takes ownership.
  static std::unique_ptr<ClassicPcapRecords> FromFd(int fd, uint32_t snaplen);
  ~ClassicPcapRecords();
  ClassicPcapRecords(const ClassicPcapRecords&) = delete;
  ClassicPcapRecords& operator=(const ClassicPcapRecords&) = delete;

  // False at end of file or at the first broken record (then error() says why).
  bool Next(Record* record);
  // Empty at a clean end of file; libpcap-style text otherwise.
  const std::string& error() const { return error_; }
  bool truncated() const { return truncated_; }
  uint64_t bytes_consumed() const { return file_offset_ - (end_ - begin_); }

 private:
  enum class LengthOrder : uint8_t { kNormal, kSwapped, kMaybeSwapped };
  ClassicPcapRecords(int fd, uint32_t snaplen, bool big_endian, bool nanos);
  // Makes at least n bytes available from begin_, reading more; false if the file ends first.
  bool Fill(size_t n) { return end_ - begin_ >= n || Refill(n); }
  bool Refill(size_t n);

  int fd_;
  uint32_t snaplen_;
  bool big_endian_;
  bool nanos_;
  LengthOrder lengths_ = LengthOrder::kNormal;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t file_offset_ = 0;  // bytes read from the file so far
  bool eof_ = false;
  bool truncated_ = false;
  std::string error_;
};

}  // namespace quench
