// Named anomaly counters ("weirds"): broken or hostile input is counted by name, never
// thrown or logged per packet. The list is one X-macro so names, enum and summary.json agree;
// add a line here to add an anomaly. AnomalyCounters is owned by one pipeline worker and is
// not thread-safe; workers' counters are merged with Add() at the end.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace quench {

// X(enum_name, "summary_name")
#define QUENCH_ANOMALIES(X)                                  \
  /* capture */                                              \
  X(kCaptureTruncatedFile, "capture_truncated_file")         \
  X(kCaptureReadError, "capture_read_error")                 \
  X(kCaptureUnsupportedLinktype, "capture_unsupported_linktype") \
  X(kCaptureSnaplenExceeded, "capture_caplen_exceeds_snaplen") \
  X(kCaptureTimeWentBackwards, "capture_time_went_backwards") \
  X(kCaptureBadTimestamp, "capture_bad_timestamp_fraction") \
  /* link layer */                                           \
  X(kEthernetTruncated, "ethernet_truncated")                \
  X(kVlanTruncated, "vlan_truncated")                        \
  X(kVlanTooDeep, "vlan_too_deep")                           \
  X(kMplsTruncated, "mpls_truncated")                        \
  X(kMplsTooDeep, "mpls_too_deep")                           \
  X(kPppoeTruncated, "pppoe_truncated")                      \
  X(kPppoeUnsupportedProtocol, "pppoe_unsupported_protocol") \
  X(kSllTruncated, "sll_truncated")                          \
  X(kSll2Truncated, "sll2_truncated")                        \
  X(kNullTruncated, "null_truncated")                        \
  X(kNullUnknownFamily, "null_unknown_family")               \
  X(kUnknownEthertype, "unknown_ethertype")                  \
  X(kNonIpPacket, "non_ip_packet")                           \
  /* IPv4 */                                                 \
  X(kIpv4Truncated, "ipv4_truncated")                        \
  X(kIpv4BadVersion, "ipv4_bad_version")                     \
  X(kIpv4BadHeaderLength, "ipv4_bad_header_length")          \
  X(kIpv4BadTotalLength, "ipv4_bad_total_length")            \
  X(kIpv4BadOptions, "ipv4_bad_options")                     \
  X(kIpv4Fragment, "ipv4_fragment")                          \
  X(kIpv4CapturedLessThanTotal, "ipv4_captured_less_than_total") \
  /* IPv6 */                                                 \
  X(kIpv6Truncated, "ipv6_truncated")                        \
  X(kIpv6BadVersion, "ipv6_bad_version")                     \
  X(kIpv6BadPayloadLength, "ipv6_bad_payload_length")        \
  X(kIpv6ExtensionTruncated, "ipv6_extension_truncated")     \
  X(kIpv6TooManyExtensions, "ipv6_too_many_extensions")      \
  X(kIpv6Fragment, "ipv6_fragment")                          \
  X(kIpv6Jumbogram, "ipv6_jumbogram")                        \
  /* fragments */                                            \
  X(kFragmentWithoutFirst, "fragment_without_first")         \
  X(kFragmentTableFull, "fragment_table_full")               \
  /* transport */                                            \
  X(kTcpTruncated, "tcp_truncated")                          \
  X(kTcpBadDataOffset, "tcp_bad_data_offset")                \
  X(kTcpBadFlags, "tcp_bad_flags")                           \
  X(kUdpTruncated, "udp_truncated")                          \
  X(kUdpBadLength, "udp_bad_length")                         \
  X(kIcmpTruncated, "icmp_truncated")                        \
  X(kIcmpv6Truncated, "icmpv6_truncated")                    \
  X(kUnknownIpProtocol, "unknown_ip_protocol")               \
  /* tunnels */                                              \
  X(kGreTruncated, "gre_truncated")                          \
  X(kGreUnsupportedVersion, "gre_unsupported_version")       \
  X(kGreUnsupportedProtocol, "gre_unsupported_protocol")     \
  X(kVxlanTruncated, "vxlan_truncated")                      \
  X(kTunnelTooDeep, "tunnel_too_deep")                       \
  /* decode (added by the decode module) */                  \
  X(kPppoeBadHeader, "pppoe_bad_header")                     \
  X(kMplsUnknownPayload, "mpls_unknown_payload")             \
  X(kRawIpBadVersion, "raw_ip_bad_version")                  \
  X(kIpv6CapturedLessThanPayload, "ipv6_captured_less_than_payload") \
  X(kIpv4AhTruncated, "ipv4_ah_truncated")                   \
  X(kGreSourceRouting, "gre_source_routing")                 \
  X(kErspanTruncated, "erspan_truncated")                    \
  X(kErspanUnsupportedVersion, "erspan_unsupported_version") \
  X(kGtpTruncated, "gtp_truncated")                          \
  X(kGtpUnsupportedVersion, "gtp_unsupported_version")      \
  X(kGtpUnsupportedPayload, "gtp_unsupported_payload")      \
  X(kPppTruncated, "ppp_truncated")                          \
  X(kPppUnsupportedProtocol, "ppp_unsupported_protocol")    \
  X(kChdlcTruncated, "chdlc_truncated")                      \
  X(kPpiTruncated, "ppi_truncated")                          \
  X(kPpiUnsupportedDlt, "ppi_unsupported_dlt")               \
  X(kIeee80211Truncated, "ieee80211_truncated")              \
  X(kIeee80211Unsupported, "ieee80211_unsupported")          \
  X(kCapwapTruncated, "capwap_truncated")                    \
  X(kCapwapUnsupported, "capwap_unsupported")                \
  /* flow table */                                           \
  X(kFlowTableFull, "flow_table_full_evictions")

enum class Anomaly : uint16_t {
#define QUENCH_ANOMALY_ENUM_(e, n) e,
  QUENCH_ANOMALIES(QUENCH_ANOMALY_ENUM_)
#undef QUENCH_ANOMALY_ENUM_
  kCount
};

constexpr size_t kAnomalyCount = static_cast<size_t>(Anomaly::kCount);

std::string_view AnomalyName(Anomaly a);

class AnomalyCounters {
 public:
  void Increment(Anomaly a, uint64_t n = 1) { counts_[static_cast<size_t>(a)] += n; }
  uint64_t Get(Anomaly a) const { return counts_[static_cast<size_t>(a)]; }
  uint64_t Total() const;
  void Add(const AnomalyCounters& other);
  // Calls f(name, count) for every non-zero counter, in declaration order.
  template <typename F>
  void ForEachNonZero(F&& f) const {
    for (size_t i = 0; i < kAnomalyCount; ++i) {
      if (counts_[i] != 0) f(AnomalyName(static_cast<Anomaly>(i)), counts_[i]);
    }
  }

 private:
  std::array<uint64_t, kAnomalyCount> counts_{};
};

}  // namespace quench
