// Every hard cap in quench, each with the reason for its value. Options may lower or raise
// the ones marked "default"; the others protect the process from hostile input.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quench::limits {

// Encapsulation: real traffic rarely stacks more than two VLAN tags or three MPLS labels;
// deeper stacks are hostile or broken and would let one frame loop the decoder.
inline constexpr int kMaxVlanTags = 4;
inline constexpr int kMaxMplsLabels = 8;
// IPv6 extension headers per packet; RFC 8200 allows any number, real stacks use 1-3.
inline constexpr int kMaxIpv6ExtensionHeaders = 8;
// Tunnel layers (GRE, VXLAN, IP-in-IP) decapsulated before the inner flow is taken.
inline constexpr int kMaxTunnelDepth = 3;

// default: flows held at once (--max-flows); about 150 bytes each, so 4 Mi flows ~ 600 MiB.
inline constexpr size_t kDefaultMaxFlows = 4u << 20;
// default: a flow with no packet for this long ends (--idle-timeout), as nfdump/softflowd.
inline constexpr int64_t kDefaultIdleTimeoutSeconds = 60;
// default: a flow older than this is cut and restarted (--active-timeout), as NetFlow exporters.
inline constexpr int64_t kDefaultActiveTimeoutSeconds = 1800;
// A closed TCP flow (FIN both ways or RST) lingers this long for stray retransmits.
inline constexpr int64_t kTcpClosedLingerSeconds = 5;
// Fragments awaiting their first fragment's ports; bounded so a fragment flood cannot grow it.
inline constexpr size_t kMaxTrackedFragments = 65536;
// A fragment's ports are remembered this long (RFC 791 suggests 15 s reassembly timeout).
inline constexpr int64_t kFragmentTimeoutSeconds = 30;

// Largest captured length of one pcap record, as libpcap's default for most link types;
// a bigger record header is corrupt, and reading stops there.
inline constexpr uint32_t kMaxPcapCaplen = 262144;

// Evidence: flows attached to one finding; more are counted, not listed.
inline constexpr size_t kMaxEvidenceFlows = 20;
// Findings kept per (host, detector, peer); repeats update counts instead of adding lines.
inline constexpr size_t kMaxFindingsPerHost = 1000;

// Intel list files: longest line accepted (a longer one is reported and skipped).
inline constexpr size_t kMaxIntelLineLength = 4096;

// STIX patterns: longest pattern parsed (feeds use a few hundred bytes; bigger is hostile or
// a whole list crammed into one OR) and deepest nesting of brackets/parentheses (bounds the
// recursive-descent parser's stack).
inline constexpr size_t kMaxStixPatternBytes = 1 << 20;
inline constexpr int kMaxStixPatternDepth = 64;

}  // namespace quench::limits
