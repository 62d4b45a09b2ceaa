// ByteReader: the only way quench reads untrusted bytes (packets, exports, feeds).
// A bounds-checked cursor over a borrowed buffer with a sticky ok(): a read past the end
// returns 0, leaves the cursor at the end and clears ok() for good, so a decoder can read a
// whole header and check ok() once. Does not own the buffer; the caller keeps it alive.
// Cheap to copy; not thread-safe (one reader per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace quench {

class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteReader(std::span<const uint8_t> bytes) : data_(bytes.data()), size_(bytes.size()) {}

  bool ok() const { return ok_; }
  size_t position() const { return pos_; }
  size_t size() const { return size_; }
  size_t remaining() const { return size_ - pos_; }
  bool CanRead(size_t n) const { return ok_ && n <= size_ - pos_; }
  // Pointer to the current position; valid for remaining() bytes.
  const uint8_t* current() const { return data_ + pos_; }
  std::span<const uint8_t> rest() const { return {data_ + pos_, size_ - pos_}; }

  uint8_t U8() {
    if (!CanRead(1)) return Fail();
    return data_[pos_++];
  }
  uint16_t U16Be() {
    if (!CanRead(2)) return Fail();
    uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint16_t U16Le() {
    if (!CanRead(2)) return Fail();
    uint16_t v = static_cast<uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  uint32_t U24Be() {
    if (!CanRead(3)) return Fail();
    uint32_t v = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  uint32_t U32Be() {
    if (!CanRead(4)) return Fail();
    uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  uint32_t U32Le() {
    if (!CanRead(4)) return Fail();
    uint32_t v = uint32_t{data_[pos_]} | (uint32_t{data_[pos_ + 1]} << 8) |
                 (uint32_t{data_[pos_ + 2]} << 16) | (uint32_t{data_[pos_ + 3]} << 24);
    pos_ += 4;
    return v;
  }
  uint64_t U64Be() {
    uint64_t hi = U32Be();
    return (hi << 32) | U32Be();
  }
  // Copies n bytes into out; on short input copies nothing and fails.
  bool Copy(void* out, size_t n) {
    if (!CanRead(n)) {
      Fail();
      return false;
    }
    std::memcpy(out, data_ + pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (!CanRead(n)) {
      Fail();
      return false;
    }
    pos_ += n;
    return true;
  }
  // A reader over the next n bytes; advances past them. On short input returns an empty,
  // failed reader and fails this one.
  ByteReader Sub(size_t n) {
    if (!CanRead(n)) {
      Fail();
      ByteReader bad;
      bad.ok_ = false;
      return bad;
    }
    ByteReader sub(data_ + pos_, n);
    pos_ += n;
    return sub;
  }
  // Peeks without consuming; returns 0 (and leaves ok() alone) when short.
  uint8_t PeekU8(size_t offset = 0) const {
    return (ok_ && offset < size_ - pos_) ? data_[pos_ + offset] : 0;
  }
  uint16_t PeekU16Be(size_t offset = 0) const {
    if (!ok_ || size_ - pos_ < 2 || offset > size_ - pos_ - 2) return 0;
    return static_cast<uint16_t>((data_[pos_ + offset] << 8) | data_[pos_ + offset + 1]);
  }

 private:
  uint8_t Fail() {
    ok_ = false;
    pos_ = size_;
    return 0;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace quench
