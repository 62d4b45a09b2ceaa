#include "checksum.h"

#include <cstring>

namespace pcapgen {

uint64_t ChecksumAdd(const uint8_t* data, size_t len, uint64_t acc) {
  // Sum 32-bit big-endian words into a 64-bit accumulator; carries are folded at the end.
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    acc += (uint32_t{data[i]} << 24) | (uint32_t{data[i + 1]} << 16) | (uint32_t{data[i + 2]} << 8) |
           data[i + 3];
  }
  for (; i + 2 <= len; i += 2) acc += (uint32_t{data[i]} << 8) | data[i + 1];
  if (i < len) acc += uint32_t{data[i]} << 8;
  return acc;
}

uint16_t ChecksumFinish(uint64_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(~acc & 0xffff);
}

}  // namespace pcapgen
