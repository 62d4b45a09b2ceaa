// The link-type table shared by the frame decoder fuzz harness and its seed generator: an
// input's first byte, modulo the table size, picks the link type; the rest is the frame.
#pragma once

#include <cstddef>

#include "quench/core/frame.h"

namespace quench::fuzz {

inline constexpr LinkType kFuzzLinkTypes[] = {
    LinkType::kEthernet, LinkType::kRaw,      LinkType::kRawAlt,    LinkType::kIpv4,
    LinkType::kIpv6,     LinkType::kLinuxSll, LinkType::kLinuxSll2, LinkType::kNull,
    LinkType::kLoop,     LinkType::kPpp,      LinkType::kPppSerial, LinkType::kCiscoHdlc,
    LinkType::kIeee80211, LinkType::kPpi,
};
inline constexpr size_t kFuzzLinkTypeCount = sizeof(kFuzzLinkTypes) / sizeof(kFuzzLinkTypes[0]);

}  // namespace quench::fuzz
