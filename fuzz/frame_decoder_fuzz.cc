// Fuzz harness for DecodeFrame + FragmentTracker. Input: one byte selecting the link type
// (frame_decoder_fuzz.h), then the frame. Besides memory safety (ASan/UBSan) it checks that
// a decoded payload lies inside the frame and that the tracker keeps its promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "frame_decoder_fuzz.h"
#include "quench/decode/decoder.h"
#include "quench/decode/fragment_tracker.h"

namespace {

void Require(bool cond) {
  if (!cond) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quench;  // NOLINT(build/namespaces)
  if (size < 1) return 0;
  Frame frame;
  frame.ts = 1'000 * kNanosPerSecond;
  frame.linktype = fuzz::kFuzzLinkTypes[data[0] % fuzz::kFuzzLinkTypeCount];
  frame.data = data + 1;
  frame.caplen = static_cast<uint32_t>(size - 1);
  frame.wire_len = frame.caplen;

  AnomalyCounters anomalies;
  PacketInfo pkt;
  const DecodeStatus status = DecodeFrame(frame, &pkt, &anomalies);
  if (status != DecodeStatus::kOk) {
    Require(anomalies.Total() > 0);  // every failure is counted
    return 0;
  }
  Require(pkt.ip_version == 4 || pkt.ip_version == 6);
  Require(pkt.tunnel_depth <= limits::kMaxTunnelDepth);
  if (pkt.payload_caplen > 0) {
    Require(pkt.payload >= frame.data && pkt.payload + pkt.payload_caplen <= frame.data + frame.caplen);
  }
  Require(pkt.payload_caplen <= pkt.payload_len);

  // The tracker: a first fragment teaches its ports; a later fragment of the same datagram
  // must then learn them.
  FragmentTracker tracker(64);
  PacketInfo copy = pkt;
  tracker.Resolve(&copy, &anomalies);
  if (pkt.is_fragment && pkt.is_first_fragment && pkt.has_ports) {
    PacketInfo later = pkt;
    later.is_first_fragment = false;
    later.has_ports = false;
    later.sport = later.dport = 0;
    tracker.Resolve(&later, &anomalies);
    Require(later.has_ports && later.sport == pkt.sport && later.dport == pkt.dport);
  }
  return 0;
}
