#include "quench/core/byte_reader.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

TEST(ByteReaderTest, ReadsBigAndLittleEndian) {
  const uint8_t data[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  ByteReader r(data, sizeof(data));
  EXPECT_EQ(r.U16Be(), 0x1234);
  EXPECT_EQ(r.U16Le(), 0x7856);
  EXPECT_EQ(r.U32Be(), 0x9abcdef0u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReaderTest, ShortReadIsStickyAndReturnsZero) {
  const uint8_t data[] = {0x01, 0x02, 0x03};
  ByteReader r(data, sizeof(data));
  EXPECT_EQ(r.U8(), 1);
  EXPECT_EQ(r.U32Be(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.U8(), 0);  // even though a byte was left, the reader stays failed
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReaderTest, SubReaderIsBoundedAndAdvancesParent) {
  const uint8_t data[] = {1, 2, 3, 4, 5};
  ByteReader r(data, sizeof(data));
  ByteReader sub = r.Sub(2);
  EXPECT_EQ(sub.U16Be(), 0x0102);
  EXPECT_EQ(sub.U8(), 0);
  EXPECT_FALSE(sub.ok());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.U8(), 3);
  ByteReader bad = r.Sub(10);
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(r.ok());
}

TEST(ByteReaderTest, PeekDoesNotConsumeOrFail) {
  const uint8_t data[] = {0xaa, 0xbb};
  ByteReader r(data, sizeof(data));
  EXPECT_EQ(r.PeekU16Be(), 0xaabb);
  EXPECT_EQ(r.PeekU16Be(1), 0);
  EXPECT_EQ(r.PeekU8(5), 0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.position(), 0u);
}

TEST(ByteReaderTest, SkipPastEndFails) {
  const uint8_t data[] = {1, 2};
  ByteReader r(data, sizeof(data));
  EXPECT_TRUE(r.Skip(2));
  EXPECT_FALSE(r.Skip(1));
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace quench
