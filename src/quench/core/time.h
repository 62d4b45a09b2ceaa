// Timestamp: nanoseconds since the Unix epoch, UTC, as a plain int64 (covers 1677-2262).
// Packet time, not wall time, drives every timeout in the pipeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quench {

using Timestamp = int64_t;        // ns since epoch
using DurationNs = int64_t;

constexpr DurationNs kNanosPerSecond = 1'000'000'000;
constexpr DurationNs kNanosPerMilli = 1'000'000;

constexpr DurationNs Seconds(double s) { return static_cast<DurationNs>(s * 1e9); }

// "2024-01-15T10:20:30.123Z" (RFC 3339, UTC, milliseconds, truncated).
std::string FormatRfc3339Millis(Timestamp ts);
// Accepts "2024-01-15T10:20:30Z", with optional fraction and "+hh:mm" offset.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace quench
