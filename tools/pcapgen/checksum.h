// Internet checksum (RFC 1071) for pcapgen: a running one's-complement sum that callers feed
// header pieces and payload into, then fold. Pure functions over caller buffers; thread-safe.
// Only the last piece fed into one sum may have an odd length.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pcapgen {

// Adds `len` bytes (big-endian 16-bit words, a trailing odd byte padded with zero) to `acc`.
uint64_t ChecksumAdd(const uint8_t* data, size_t len, uint64_t acc);
// Adds a host-order 16-bit value as one big-endian word.
inline uint64_t ChecksumAddWord(uint16_t word, uint64_t acc) { return acc + word; }
// Folds the sum to 16 bits and returns its one's complement (the value to store).
uint16_t ChecksumFinish(uint64_t acc);
// Convenience: checksum of one buffer.
inline uint16_t InternetChecksum(const uint8_t* data, size_t len) {
  return ChecksumFinish(ChecksumAdd(data, len, 0));
}

}  // namespace pcapgen
