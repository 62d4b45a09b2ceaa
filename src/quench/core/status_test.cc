#include "quench/core/status.h"

#include <gtest/gtest.h>

namespace quench {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  QUENCH_ASSIGN_OR_RETURN(int h, Half(x));
  QUENCH_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckQuarter(int x) {
  QUENCH_RETURN_IF_ERROR(Quarter(x));
  return OkStatus();
}

TEST(StatusTest, PropagatesErrorsThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().ToString(), "invalid_argument: odd: 3");
  EXPECT_TRUE(CheckQuarter(4));
  EXPECT_FALSE(CheckQuarter(2));
}

}  // namespace
}  // namespace quench
