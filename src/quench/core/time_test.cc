#include "quench/core/time.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

TEST(TimeTest, FormatsRfc3339WithMillis) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  // 2024-01-15T10:20:30.123456789Z
  Timestamp ts = 1705314030LL * kNanosPerSecond + 123456789;
  EXPECT_EQ(FormatRfc3339Millis(ts), "2024-01-15T10:20:30.123Z");
}

TEST(TimeTest, ParseRoundTripsAndHonoursOffsets) {
  auto ts = ParseRfc3339("2024-01-15T10:20:30.123Z");
  ASSERT_TRUE(ts);
  EXPECT_EQ(FormatRfc3339Millis(*ts), "2024-01-15T10:20:30.123Z");
  auto shifted = ParseRfc3339("2024-01-15T12:20:30+02:00");
  ASSERT_TRUE(shifted);
  EXPECT_EQ(FormatRfc3339Millis(*shifted), "2024-01-15T10:20:30.000Z");
  EXPECT_FALSE(ParseRfc3339("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2024-01-15T10:20:30"));
}

// Found by the stix_pattern fuzzer: year 0125 overflowed the ns multiplication (UBSan).
TEST(TimeTest, ParseRejectsYearsOutsideTimestampRange) {
  EXPECT_FALSE(ParseRfc3339("0125-07-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(ParseRfc3339("1970-01-01T00:00:00Z"));
  EXPECT_TRUE(ParseRfc3339("2261-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace quench
