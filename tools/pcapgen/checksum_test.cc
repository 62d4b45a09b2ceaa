#include "checksum.h"

#include <vector>

#include <gtest/gtest.h>

namespace pcapgen {
namespace {

TEST(ChecksumTest, Rfc1071Example) {
  // RFC 1071 section 3: the sum of these words is 0xddf2, so the checksum is 0x220d.
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(InternetChecksum(data, sizeof(data)), 0x220d);
}

TEST(ChecksumTest, KnownIpv4Header) {
  // 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73: header checksum 0xb861.
  uint8_t hdr[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(InternetChecksum(hdr, sizeof(hdr)), 0xb861);
  hdr[10] = 0xb8;
  hdr[11] = 0x61;
  EXPECT_EQ(InternetChecksum(hdr, sizeof(hdr)), 0);  // a valid header sums to zero
}

TEST(ChecksumTest, OddLengthPadsWithZero) {
  const uint8_t odd[] = {0x12, 0x34, 0x56};
  const uint8_t padded[] = {0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(InternetChecksum(odd, 3), InternetChecksum(padded, 4));
  EXPECT_EQ(InternetChecksum(odd, 3), static_cast<uint16_t>(~(0x1234 + 0x5600) & 0xffff));
}

TEST(ChecksumTest, ChunkedEqualsWhole) {
  std::vector<uint8_t> data(1501);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
  const uint16_t whole = InternetChecksum(data.data(), data.size());
  for (size_t split : {0, 2, 6, 20, 40, 1000, 1500}) {
    uint64_t acc = ChecksumAdd(data.data(), split, 0);
    acc = ChecksumAdd(data.data() + split, data.size() - split, acc);
    EXPECT_EQ(ChecksumFinish(acc), whole) << "split at " << split;
  }
}

TEST(ChecksumTest, AllOnesCarryFolds) {
  std::vector<uint8_t> data(100000, 0xff);
  // The one's-complement sum of 0xffff words is 0xffff; its complement is 0.
  EXPECT_EQ(InternetChecksum(data.data(), data.size()), 0);
}

}  // namespace
}  // namespace pcapgen
