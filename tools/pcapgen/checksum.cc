#include "checksum.h"

#include <bit>
#include <cstring>

namespace pcapgen {

uint64_t ChecksumAdd(const uint8_t* data, size_t len, uint64_t acc) {
  // Sum native-order 32-bit halves of 64-bit loads, fold to 16 bits, and swap to big-endian
  // order at the end: the one's-complement sum commutes with byte swapping (RFC 1071 2(B)).
  uint64_t native = 0;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    native += (w & 0xffffffffu) + (w >> 32);
  }
  for (; i + 2 <= len; i += 2) {
    uint16_t w;
    std::memcpy(&w, data + i, 2);
    native += w;
  }
  while (native >> 16) native = (native & 0xffff) + (native >> 16);
  uint16_t folded = static_cast<uint16_t>(native);
  if constexpr (std::endian::native == std::endian::little) {
    folded = static_cast<uint16_t>((folded >> 8) | (folded << 8));
  }
  acc += folded;
  if (i < len) acc += uint32_t{data[i]} << 8;
  return acc;
}

uint16_t ChecksumFinish(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(~acc & 0xffff);
}

}  // namespace pcapgen
