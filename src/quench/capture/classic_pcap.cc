// Record layout (all fields in the file's byte order, given by the magic number):
//   file header (24 bytes): magic, version 2.4, thiszone, sigfigs, snaplen, linktype
//   record header (16 bytes): ts_sec, ts_usec (or ts_nsec), caplen, len; then caplen bytes.
// Example: magic d4 c3 b2 a1 read little-endian is 0xa1b2c3d4, so the file is little-endian
// with microsecond stamps; a record header 10 00 00 00 | 20 a1 07 00 | 3c 00 00 00 | 3c 00 00 00
// is t = 16.500000 s, 60 bytes captured of 60.
#include "quench/capture/classic_pcap.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "quench/core/byte_reader.h"
#include "quench/core/limits.h"

namespace quench {

namespace {

constexpr size_t kFileHeaderBytes = 24;
constexpr size_t kRecordHeaderBytes = 16;
constexpr size_t kBufferBytes = 4u << 20;
static_assert(kBufferBytes >= kRecordHeaderBytes + limits::kMaxPcapCaplen);


}  // namespace

std::unique_ptr<ClassicPcapRecords> ClassicPcapRecords::Open(const std::string& path,
                                                             uint32_t snaplen) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return FromFd(fd, snaplen);
}

std::unique_ptr<ClassicPcapRecords> ClassicPcapRecords::FromFd(int fd, uint32_t snaplen) {
  uint8_t header[kFileHeaderBytes];
  size_t got = 0;
  while (got < sizeof(header)) {
    ssize_t n = ::read(fd, header + got, sizeof(header) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ByteReader r(header, got);
  uint32_t magic = r.U32Le();
  bool big_endian = false, nanos = false, classic = true;
  switch (magic) {
    case 0xa1b2c3d4: break;
    case 0xd4c3b2a1: big_endian = true; break;
    case 0xa1b23c4d: nanos = true; break;
    case 0x4d3cb2a1: big_endian = true; nanos = true; break;
    default: classic = false; break;  // pcapng or a pcap variant: libpcap's job
  }
  const uint16_t major = big_endian ? r.U16Be() : r.U16Le();
  const uint16_t minor = big_endian ? r.U16Be() : r.U16Le();
  if (!classic || !r.ok() || got != sizeof(header)) {
    ::close(fd);
    return nullptr;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  auto records = std::unique_ptr<ClassicPcapRecords>(
      new ClassicPcapRecords(fd, snaplen, big_endian, nanos));
  // Writers before format 2.3 stored len before caplen; 2.3 writers did either. libpcap
  // swaps them back (always before 2.3, when caplen > len at 2.3), and so do we.
  if (major < 2 || (major == 2 && minor < 3)) {
    records->lengths_ = LengthOrder::kSwapped;
  } else if (major == 2 && minor == 3) {
    records->lengths_ = LengthOrder::kMaybeSwapped;
  }
  records->file_offset_ = kFileHeaderBytes;
  return records;
}

ClassicPcapRecords::ClassicPcapRecords(int fd, uint32_t snaplen, bool big_endian, bool nanos)
    : fd_(fd), snaplen_(snaplen), big_endian_(big_endian), nanos_(nanos),
      buffer_(new uint8_t[kBufferBytes]) {}

ClassicPcapRecords::~ClassicPcapRecords() { ::close(fd_); }

bool ClassicPcapRecords::Refill(size_t n) {
  if (begin_ != 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < n && !eof_) {
    ssize_t got = ::read(fd_, buffer_.get() + end_, kBufferBytes - end_);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error_ = std::string("error reading dump file: ") + std::strerror(errno);
      eof_ = true;
      return false;
    }
    if (got == 0) {
      eof_ = true;
      break;
    }
    end_ += static_cast<size_t>(got);
    file_offset_ += static_cast<uint64_t>(got);
  }
  return end_ - begin_ >= n;
}

bool ClassicPcapRecords::Next(Record* record) {
  if (!Fill(kRecordHeaderBytes)) [[unlikely]] {
    size_t have = end_ - begin_;
    if (error_.empty() && have != 0) {
      truncated_ = true;
      error_ = "truncated dump file; tried to read " + std::to_string(kRecordHeaderBytes) +
               " header bytes, only got " + std::to_string(have);
    }
    return false;
  }
  // One bounds check for the whole record header, then four native loads.
  uint32_t fields[4];
  ByteReader(buffer_.get() + begin_, kRecordHeaderBytes).Copy(fields, sizeof(fields));
  if (big_endian_) [[unlikely]] {
    for (uint32_t& f : fields) f = __builtin_bswap32(f);
  }
  const uint32_t sec = fields[0];
  const uint32_t frac = fields[1];
  uint32_t caplen = fields[2];
  uint32_t wire_len = fields[3];
  if (lengths_ != LengthOrder::kNormal) [[unlikely]] {
    if (lengths_ == LengthOrder::kSwapped || caplen > wire_len) std::swap(caplen, wire_len);
  }
  if (caplen > limits::kMaxPcapCaplen) [[unlikely]] {
    error_ = "invalid packet capture length " + std::to_string(caplen) +
             ", bigger than maximum of " + std::to_string(limits::kMaxPcapCaplen);
    return false;
  }
  const size_t need = kRecordHeaderBytes + caplen;
  if (!Fill(need)) [[unlikely]] {
    if (error_.empty()) {
      truncated_ = true;
      error_ = "truncated dump file; tried to read " + std::to_string(caplen) +
               " captured bytes, only got " + std::to_string(end_ - begin_ - kRecordHeaderBytes);
    }
    return false;
  }
  record->ts = static_cast<Timestamp>(sec) * kNanosPerSecond +
               static_cast<Timestamp>(frac) * (nanos_ ? 1 : 1000);
  record->bad_fraction = frac >= (nanos_ ? 1'000'000'000u : 1'000'000u);
  record->data = buffer_.get() + begin_ + kRecordHeaderBytes;
  record->over_snaplen = snaplen_ != 0 && caplen > snaplen_;
  record->caplen = record->over_snaplen ? snaplen_ : caplen;
  record->wire_len = wire_len;
  begin_ += need;
  return true;
}

}  // namespace quench
