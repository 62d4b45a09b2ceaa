// L2-L4 decoders. One Decoder value lives on the stack for one frame; each layer is a member
// function taking a ByteReader positioned at its header and returning the final status, so a
// tunnel is just a call back into an outer layer with the depth counter raised.
//
// Worked example: Ethernet | 802.1Q vid 10 | IPv4 10.0.0.1 > 10.0.0.2 proto 47 | GRE key=7
// proto 0x0800 | IPv4 192.168.1.1 > 192.168.1.2 | TCP 1234 > 80 SYN.
//   Ethernet reads the type 0x8100, EtherType() pops the tag (vlan = 10, outer frame only),
//   sees 0x0800 -> Ipv4(): the outer header is read, the body is trimmed to the total length
//   (dropping Ethernet padding), protocol 47 -> Gre(): flags 0x2000 (K) skip 4 bytes of key,
//   EnterTunnel() sets tunnel_depth = 1, 0x0800 -> Ipv4() again, which overwrites src/dst/
//   ip_len with the inner header, then Transport() fills the TCP ports, flags and payload.
//   The result is the inner flow 192.168.1.1:1234 > 192.168.1.2:80, vlan 10, tunnel_depth 1.
#include "quench/decode/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "quench/core/byte_reader.h"
#include "quench/core/limits.h"

namespace quench {

namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr uint16_t kEtherMplsUnicast = 0x8847;
constexpr uint16_t kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherPppoeSession = 0x8864;
constexpr uint16_t kEtherTransparentBridging = 0x6558;
constexpr uint16_t kEtherErspan2 = 0x88be;
constexpr uint16_t kEtherErspan3 = 0x22eb;

constexpr uint16_t kGrePpp = 0x880b;
constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;
constexpr uint16_t kPppMplsUnicast = 0x0281;
constexpr uint16_t kPppMplsMulticast = 0x0283;

constexpr uint16_t kVxlanPort = 4789;
constexpr uint16_t kGtpuPort = 2152;
constexpr uint16_t kCapwapDataPort = 5247;

constexpr uint8_t kGtpTypeGpdu = 0xff;

// Inner link types a PPI header may announce that quench decodes.
constexpr uint32_t kDltEthernet = 1;
constexpr uint32_t kDltIeee80211 = 105;

constexpr uint8_t kIpProtoIpip = 4;
constexpr uint8_t kIpProtoIpv6 = 41;
constexpr uint8_t kIpProtoAh = 51;
constexpr uint8_t kIpv6HopByHop = 0;
constexpr uint8_t kIpv6Routing = 43;
constexpr uint8_t kIpv6FragmentHeader = 44;
constexpr uint8_t kIpv6DestinationOptions = 60;

// BSD address families seen in DLT_NULL / DLT_LOOP headers.
constexpr uint32_t kBsdAfInet = 2;
constexpr uint32_t kBsdAfInet6Netbsd = 24;  // also OpenBSD
constexpr uint32_t kBsdAfInet6Freebsd = 28;
constexpr uint32_t kBsdAfInet6Darwin = 30;

constexpr uint16_t kArphrdNetlink = 824;

// Ethertypes of well-formed frames that never carry IP; anything else that is not decoded
// counts as unknown_ethertype instead of non_ip_packet.
bool IsKnownNonIpEthertype(uint16_t type) {
  if (type < 0x0600) return true;  // 802.3 length field: LLC/SNAP, STP, CDP, Novell raw
  switch (type) {
    case 0x0806:  // ARP
    case 0x0842:  // Wake-on-LAN
    case 0x2000:  // CDP (as Cisco HDLC carries it)
    case 0x22f0:  // AVTP
    case 0x6002:  // DEC MOP
    case 0x6003:  // DECnet
    case 0x6004:  // DEC LAT
    case 0x8035:  // RARP
    case 0x809b:  // AppleTalk
    case 0x80f3:  // AARP
    case 0x8137:  // IPX
    case 0x8808:  // Ethernet flow control
    case 0x8809:  // slow protocols (LACP)
    case 0x8863:  // PPPoE discovery
    case 0x8892:  // PROFINET
    case 0x8899:  // Realtek RRCP
    case 0x888e:  // EAPOL
    case 0x88a4:  // EtherCAT
    case 0x88b5:  // local experimental
    case 0x88b6:  // local experimental
    case 0x88b8:  // GOOSE
    case 0x88ba:  // IEC 61850 SV
    case 0x88c7:  // 802.11i pre-authentication
    case 0x88cc:  // LLDP
    case 0x88d9:  // LLTD
    case 0x88e1:  // HomePlug AV
    case 0x88e3:  // MRP
    case 0x88e5:  // MACsec (encrypted)
    case 0x88f5:  // MVRP
    case 0x88f6:  // MMRP
    case 0x88f7:  // PTP
    case 0x8902:  // CFM
    case 0x890d:  // 802.11r / TDLS
    case 0x8912:  // mediaxtream
    case 0x8915:  // RoCE
    case 0x892f:  // HSR
    case 0x893a:  // IEEE 1905.1
    case 0x9000:  // loopback (CTP)
      return true;
    default:
      return false;
  }
}

// IP protocols that are well known and have no ports quench reads; others are counted as
// unknown_ip_protocol (the packet is still decoded, has_ports = false).
bool IsKnownPortlessProtocol(uint8_t proto) {
  switch (proto) {
    case 2:    // IGMP
    case 8:    // EGP
    case 33:   // DCCP
    case 46:   // RSVP
    case 50:   // ESP
    case 51:   // AH (only when it is not followed)
    case 59:   // IPv6 no next header
    case 88:   // EIGRP
    case 89:   // OSPF
    case 94:   // IPIP (KA9Q)
    case 103:  // PIM
    case 108:  // IPComp
    case 112:  // VRRP / CARP
    case 115:  // L2TPv3
    case 124:  // IS-IS over IPv4
    case 132:  // SCTP
    case 136:  // UDP-Lite
      return true;
    default:
      return false;
  }
}

// Checks the IPv4 option list: EOL ends it, NOP is one byte, every other option has a length
// byte >= 2 that fits in the header.
bool Ipv4OptionsValid(ByteReader opts) {
  while (opts.remaining() > 0) {
    uint8_t type = opts.U8();
    if (type == 0) return true;  // end of option list; the rest is padding
    if (type == 1) continue;     // no-operation
    if (opts.remaining() < 1) return false;
    uint8_t len = opts.U8();
    if (len < 2 || !opts.Skip(len - 2u)) return false;
  }
  return true;
}

// Big-endian loads from a local copy of a fixed header (made with ByteReader::Copy).
inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

class Decoder {
 public:
  Decoder(PacketInfo* out, AnomalyCounters* anomalies) : out_(out), anomalies_(anomalies) {}

  DecodeStatus Ethernet(ByteReader& r) {
    if (!r.CanRead(14)) [[unlikely]] return Fail(Anomaly::kEthernetTruncated);
    r.Skip(12);
    return EtherType(r.U16Be(), r);
  }

  // Dispatches on an ethertype; `r` is positioned after it. Pops 802.1Q/802.1ad tags first.
  DecodeStatus EtherType(uint16_t type, ByteReader& r) {
    int tags = 0;
    while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQOld) {
      if (++tags > limits::kMaxVlanTags) return Fail(Anomaly::kVlanTooDeep);
      if (!r.CanRead(4)) return Fail(Anomaly::kVlanTruncated);
      uint16_t tci = r.U16Be();
      type = r.U16Be();
      if (tunnel_depth_ == 0) out_->vlan = tci & 0x0fff;
    }
    switch (type) {
      case kEtherIpv4:
        return Ipv4(r);
      case kEtherIpv6:
        return Ipv6(r);
      case kEtherMplsUnicast:
      case kEtherMplsMulticast:
        return Mpls(r);
      case kEtherPppoeSession:
        return Pppoe(r);
      default:
        return NotIp(type);
    }
  }

  DecodeStatus Raw(ByteReader& r) {
    switch (r.PeekU8() >> 4) {
      case 4:
        return Ipv4(r);
      case 6:
        return Ipv6(r);
      default:
        return Fail(Anomaly::kRawIpBadVersion);
    }
  }

  // DLT_NULL (host order of the capturing machine: either) and DLT_LOOP (network order).
  DecodeStatus Null(ByteReader& r, bool network_order) {
    if (!r.CanRead(4)) return Fail(Anomaly::kNullTruncated);
    uint32_t family = network_order ? r.U32Be() : r.U32Le();
    if ((family & 0xffff0000u) != 0) {
      family = ((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >> 8) & 0xff00) |
               (family >> 24);
    }
    switch (family) {
      case kBsdAfInet:
        return Ipv4(r);
      case kBsdAfInet6Netbsd:
      case kBsdAfInet6Freebsd:
      case kBsdAfInet6Darwin:
        return Ipv6(r);
      default:
        return Fail(Anomaly::kNullUnknownFamily, DecodeStatus::kUnsupported);
    }
  }

  // Linux cooked capture v1: pkttype(2) hatype(2) addrlen(2) addr(8) protocol(2).
  DecodeStatus Sll(ByteReader& r) {
    if (!r.CanRead(16)) return Fail(Anomaly::kSllTruncated);
    r.Skip(2);
    uint16_t hatype = r.U16Be();
    r.Skip(10);
    return CookedProtocol(hatype, r.U16Be(), r);
  }

  // Linux cooked capture v2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
  // addrlen(1) addr(8).
  DecodeStatus Sll2(ByteReader& r) {
    if (!r.CanRead(20)) return Fail(Anomaly::kSll2Truncated);
    uint16_t protocol = r.U16Be();
    r.Skip(6);
    uint16_t hatype = r.U16Be();
    r.Skip(10);
    return CookedProtocol(hatype, protocol, r);
  }

  // DLT_PPP and DLT_PPP_SERIAL: address/control bytes 0xff 0x03 when present, then the PPP
  // protocol. Cisco routers put Cisco HDLC frames (address 0x0f or 0x8f) in PPP captures too.
  DecodeStatus PppLink(ByteReader& r) {
    if (!r.CanRead(2)) return Fail(Anomaly::kPppTruncated);
    const uint8_t address = r.PeekU8(0);
    if (address == 0x0f || address == 0x8f) return CiscoHdlc(r);
    if (address == 0xff && r.PeekU8(1) == 0x03) r.Skip(2);
    return Ppp(r, Anomaly::kPppTruncated, Anomaly::kPppUnsupportedProtocol);
  }

  // DLT_C_HDLC: address(1) control(1) ethertype(2).
  DecodeStatus CiscoHdlc(ByteReader& r) {
    if (!r.CanRead(4)) return Fail(Anomaly::kChdlcTruncated);
    r.Skip(2);
    return EtherType(r.U16Be(), r);
  }

  // DLT_PPI: version(1) flags(1) header length(2, LE) inner DLT(4, LE), then fields up to the
  // header length. Ethernet and 802.11 inside are decoded.
  DecodeStatus Ppi(ByteReader& r) {
    if (!r.CanRead(8)) return Fail(Anomaly::kPpiTruncated);
    r.Skip(2);  // version, flags
    const uint16_t header_len = r.U16Le();
    const uint32_t dlt = r.U32Le();
    if (header_len < 8 || !r.Skip(header_len - 8u)) return Fail(Anomaly::kPpiTruncated);
    switch (dlt) {
      case kDltEthernet:
        return Ethernet(r);
      case kDltIeee80211:
        return Ieee80211(r);
      default:
        return Fail(Anomaly::kPpiUnsupportedDlt, DecodeStatus::kUnsupported);
    }
  }

  // An 802.11 frame without radio header (the FCS, if any, is cut by the IP length).
  DecodeStatus Ieee80211(ByteReader& r) {
    size_t llc_offset = 0;
    switch (ProbeIeee80211(r, /*try_swapped=*/false, &llc_offset)) {
      case WlanKind::kTruncated:
        return Fail(Anomaly::kIeee80211Truncated);
      case WlanKind::kUnsupported:
        return Fail(Anomaly::kIeee80211Unsupported, DecodeStatus::kUnsupported);
      case WlanKind::kNotIp:
        return NotIp(0);
      case WlanKind::kSnap:
        break;
    }
    r.Skip(llc_offset + 6);
    return EtherType(r.U16Be(), r);
  }

  DecodeStatus Ipv4(ByteReader& r) {
    const size_t avail = r.remaining();
    // One bounds check for the fixed header: copy it out, then parse the copy.
    uint8_t h[20];
    if (!r.Copy(h, sizeof(h))) [[unlikely]] return Fail(Anomaly::kIpv4Truncated);
    if ((h[0] >> 4) != 4) [[unlikely]] return Fail(Anomaly::kIpv4BadVersion);
    const size_t header_len = (h[0] & 0x0fu) * 4u;
    if (header_len < 20) [[unlikely]] return Fail(Anomaly::kIpv4BadHeaderLength);
    uint32_t total_len = Be16(h + 2);
    const uint16_t ip_id = Be16(h + 4);
    const uint16_t frag = Be16(h + 6);
    uint8_t proto = h[9];
    const uint8_t* addr = h + 12;
    // Total length 0 is what a capture on a host doing TCP segmentation offload sees (the
    // NIC fills it in later); like Wireshark, take the captured bytes as the packet.
    if (total_len == 0) [[unlikely]] total_len = static_cast<uint32_t>(avail);
    if (total_len < header_len) [[unlikely]] return Fail(Anomaly::kIpv4BadTotalLength);
    if (avail < header_len) [[unlikely]] return Fail(Anomaly::kIpv4Truncated);
    if (header_len > 20) {
      if (!Ipv4OptionsValid(r.Sub(header_len - 20))) return Fail(Anomaly::kIpv4BadOptions);
    }
    size_t captured = avail;
    if (total_len > avail) [[unlikely]] {
      anomalies_->Increment(Anomaly::kIpv4CapturedLessThanTotal);
    } else {
      captured = total_len;  // trims Ethernet padding and trailers
    }
    ByteReader body = r.Sub(captured - header_len);

    out_->ip_version = 4;
    out_->src = IpAddress::FromV4Bytes(addr);
    out_->dst = IpAddress::FromV4Bytes(addr + 4);
    out_->ip_len = total_len;
    uint32_t l4_len = total_len - static_cast<uint32_t>(header_len);

    const uint16_t frag_offset = frag & 0x1fff;
    const bool fragmented = (frag & 0x3fff) != 0;  // MF set or offset non-zero
    if (fragmented) [[unlikely]] {
      anomalies_->Increment(Anomaly::kIpv4Fragment);
      out_->is_fragment = true;
      out_->is_first_fragment = frag_offset == 0;
      out_->ip_id = ip_id;
      if (frag_offset != 0) return NonFirstFragment(proto, body, l4_len);
    }
    // IPv4 AH (RFC 4302): payload length in 32-bit words minus 2; the protocol continues.
    int ah_headers = 0;
    while (proto == kIpProtoAh) {
      if (++ah_headers > limits::kMaxIpv6ExtensionHeaders) break;
      if (!body.CanRead(8)) return Fail(Anomaly::kIpv4AhTruncated);
      uint8_t next = body.PeekU8(0);
      size_t ah_len = (body.PeekU8(1) + 2u) * 4u;
      if (!body.Skip(ah_len)) return Fail(Anomaly::kIpv4AhTruncated);
      l4_len -= static_cast<uint32_t>(ah_len);
      proto = next;
    }
    return Transport(proto, body, l4_len, fragmented);
  }

  DecodeStatus Ipv6(ByteReader& r) {
    if (!r.CanRead(40)) [[unlikely]] return Fail(Anomaly::kIpv6Truncated);
    const uint32_t version_class_label = r.U32Be();
    if ((version_class_label >> 28) != 6) [[unlikely]] return Fail(Anomaly::kIpv6BadVersion);
    const uint16_t payload_len = r.U16Be();
    uint8_t next = r.U8();
    r.Skip(1);  // hop limit
    uint8_t addr[32] = {};
    r.Copy(addr, 32);
    if (payload_len == 0 && next == kIpv6HopByHop) [[unlikely]] {
      return Fail(Anomaly::kIpv6Jumbogram, DecodeStatus::kUnsupported);
    }
    size_t captured = r.remaining();
    if (payload_len > captured) [[unlikely]] {
      anomalies_->Increment(Anomaly::kIpv6CapturedLessThanPayload);
    } else {
      captured = payload_len;
    }
    ByteReader body = r.Sub(captured);

    out_->ip_version = 6;
    out_->src = IpAddress::FromV6Bytes(addr);
    out_->dst = IpAddress::FromV6Bytes(addr + 16);
    out_->ip_len = 40u + payload_len;
    uint32_t l4_len = payload_len;
    bool fragmented = false;

    for (int extensions = 0;; ++extensions) {
      size_t ext_len;
      switch (next) {
        case kIpv6HopByHop:
        case kIpv6Routing:
        case kIpv6DestinationOptions:
          if (!body.CanRead(8)) return Fail(Anomaly::kIpv6ExtensionTruncated);
          ext_len = (body.PeekU8(1) + 1u) * 8u;
          break;
        case kIpProtoAh:
          if (!body.CanRead(8)) return Fail(Anomaly::kIpv6ExtensionTruncated);
          ext_len = (body.PeekU8(1) + 2u) * 4u;
          break;
        case kIpv6FragmentHeader:
          if (!body.CanRead(8)) return Fail(Anomaly::kIpv6ExtensionTruncated);
          ext_len = 8;
          break;
        default:
          return Transport(next, body, l4_len, fragmented);
      }
      if (extensions >= limits::kMaxIpv6ExtensionHeaders) {
        return Fail(Anomaly::kIpv6TooManyExtensions);
      }
      const uint8_t header_type = next;
      next = body.PeekU8(0);
      if (header_type == kIpv6FragmentHeader) {
        body.Skip(2);
        const uint16_t offset_flags = body.U16Be();
        const uint32_t id = body.U32Be();
        l4_len -= 8;
        const uint16_t offset = offset_flags >> 3;
        // Offset 0 without M is an atomic fragment (RFC 6946): a whole datagram.
        if (offset != 0 || (offset_flags & 1) != 0) {
          anomalies_->Increment(Anomaly::kIpv6Fragment);
          fragmented = true;
          out_->is_fragment = true;
          out_->is_first_fragment = offset == 0;
          out_->ip_id = id;
          if (offset != 0) return NonFirstFragment(next, body, l4_len);
        }
        continue;
      }
      if (!body.Skip(ext_len)) return Fail(Anomaly::kIpv6ExtensionTruncated);
      l4_len -= static_cast<uint32_t>(ext_len);
    }
  }

 private:
  DecodeStatus Fail(Anomaly a, DecodeStatus status = DecodeStatus::kMalformed) {
    anomalies_->Increment(a);
    return status;
  }

  DecodeStatus NotIp(uint16_t type) {
    anomalies_->Increment(IsKnownNonIpEthertype(type) ? Anomaly::kNonIpPacket
                                                      : Anomaly::kUnknownEthertype);
    return DecodeStatus::kNotIp;
  }

  // Raises the tunnel depth before decoding an encapsulated layer; false when too deep.
  bool EnterTunnel() {
    if (tunnel_depth_ >= limits::kMaxTunnelDepth) {
      anomalies_->Increment(Anomaly::kTunnelTooDeep);
      return false;
    }
    ++tunnel_depth_;
    out_->tunnel_depth = static_cast<uint8_t>(tunnel_depth_);
    return true;
  }

  DecodeStatus CookedProtocol(uint16_t hatype, uint16_t protocol, ByteReader& r) {
    // Netlink captures carry a netlink family here; values < 0x0600 are Linux's special
    // protocol numbers (802.2 LLC, 802.3 raw, CAN...), none of them IP.
    if (hatype == kArphrdNetlink) return NotIp(0);
    return EtherType(protocol, r);
  }

  // A fragment at a non-zero offset: no L4 header, the payload is the fragment data.
  DecodeStatus NonFirstFragment(uint8_t proto, const ByteReader& body, uint32_t l4_len) {
    out_->ip_proto = proto;
    out_->payload_len = l4_len;
    out_->payload = body.current();
    out_->payload_caplen = static_cast<uint32_t>(body.remaining());
    return DecodeStatus::kOk;
  }

  void SetPayload(const ByteReader& r, uint32_t declared_len) {
    out_->payload_len = declared_len;
    out_->payload = r.current();
    out_->payload_caplen = static_cast<uint32_t>(std::min<size_t>(r.remaining(), declared_len));
  }

  // `r` covers the captured L4 bytes (never beyond the IP length); `l4_len` is the length
  // the IP header states. Tunnels are not decapsulated from fragments (the inner header may
  // be cut): such a packet is reported as the outer flow.
  DecodeStatus Transport(uint8_t proto, ByteReader& r, uint32_t l4_len, bool fragmented) {
    out_->ip_proto = proto;
    switch (proto) {
      case kIpProtoTcp: {
        uint8_t h[20];
        if (!r.Copy(h, sizeof(h))) [[unlikely]] return Fail(Anomaly::kTcpTruncated);
        out_->sport = Be16(h);
        out_->dport = Be16(h + 2);
        out_->tcp_seq = Be32(h + 4);
        out_->tcp_ack = Be32(h + 8);
        const uint32_t header_len = (h[12] >> 4) * 4u;
        const uint8_t flags = h[13];
        if (header_len < 20 || header_len > l4_len) [[unlikely]] {
          return Fail(Anomaly::kTcpBadDataOffset);
        }
        if (!r.Skip(header_len - 20)) [[unlikely]] return Fail(Anomaly::kTcpTruncated);
        out_->tcp_flags = flags;
        out_->has_ports = true;
        if (((flags & (kTcpSyn | kTcpFin)) == (kTcpSyn | kTcpFin)) ||
            ((flags & (kTcpSyn | kTcpRst)) == (kTcpSyn | kTcpRst)) ||
            (flags & (kTcpSyn | kTcpAck | kTcpRst)) == 0) [[unlikely]] {
          anomalies_->Increment(Anomaly::kTcpBadFlags);  // scans: counted, still decoded
        }
        SetPayload(r, l4_len - header_len);
        return DecodeStatus::kOk;
      }
      case kIpProtoUdp: {
        if (!r.CanRead(8)) [[unlikely]] return Fail(Anomaly::kUdpTruncated);
        const uint16_t sport = r.U16Be();
        const uint16_t dport = r.U16Be();
        const uint16_t udp_len = r.U16Be();
        r.Skip(2);  // checksum
        // A first fragment's UDP length covers the whole datagram, so it may exceed l4_len.
        if (udp_len < 8 || (!fragmented && udp_len > l4_len)) [[unlikely]] {
          return Fail(Anomaly::kUdpBadLength);
        }
        const uint32_t data_len = udp_len - 8u;
        if (!fragmented) {
          ByteReader rest = r;  // plain UDP (no tunnel after all) keeps `r` where it is
          ByteReader data = rest.Sub(std::min<size_t>(rest.remaining(), data_len));
          DecodeStatus status = DecodeStatus::kOk;
          if (dport == kVxlanPort) {
            if (!data.CanRead(8)) return Fail(Anomaly::kVxlanTruncated);
            // Flags byte with the I bit (valid VNI); otherwise it is plain UDP on port 4789.
            if ((data.PeekU8(0) & 0x08) != 0) {
              data.Skip(8);
              if (!EnterTunnel()) return DecodeStatus::kMalformed;
              return Ethernet(data);
            }
          } else if (sport == kGtpuPort || dport == kGtpuPort) {
            if (Gtpu(data, &status)) return status;
          } else if (sport == kCapwapDataPort || dport == kCapwapDataPort) {
            if (CapwapData(data, &status)) return status;
          }
        }
        out_->sport = sport;
        out_->dport = dport;
        out_->has_ports = true;
        SetPayload(r, data_len);
        return DecodeStatus::kOk;
      }
      case kIpProtoIcmp:
      case kIpProtoIcmpv6: {
        if (!r.CanRead(8)) [[unlikely]] {
          return Fail(proto == kIpProtoIcmp ? Anomaly::kIcmpTruncated : Anomaly::kIcmpv6Truncated);
        }
        out_->sport = r.U8();  // type
        out_->dport = r.U8();  // code
        r.Skip(6);
        out_->has_ports = true;
        SetPayload(r, l4_len >= 8 ? l4_len - 8 : 0);
        return DecodeStatus::kOk;
      }
      case kIpProtoGre:
        if (!fragmented) return Gre(r);
        break;
      case kIpProtoIpip:
        if (!fragmented) {
          if (!EnterTunnel()) return DecodeStatus::kMalformed;
          return Ipv4(r);
        }
        break;
      case kIpProtoIpv6:
        if (!fragmented) {
          if (!EnterTunnel()) return DecodeStatus::kMalformed;
          return Ipv6(r);
        }
        break;
      default:
        if (!IsKnownPortlessProtocol(proto)) anomalies_->Increment(Anomaly::kUnknownIpProtocol);
        break;
    }
    SetPayload(r, l4_len);
    return DecodeStatus::kOk;
  }

  // GTPv1-U (3GPP TS 29.281) on UDP 2152: flags(1: version 3 bits, PT, -, E, S, PN) type(1)
  // length(2: bytes after the first 8) TEID(4); when E, S or PN is set, sequence(2) N-PDU(1)
  // next extension type(1), then a chain of extension headers, each length(1, in 4-byte
  // units) ... next type(1). A G-PDU (type 255) carries the subscriber's IPv4/IPv6 packet,
  // which is the flow. Returns false, with *status untouched, when the datagram is reported
  // as plain UDP: signalling (echo, error indication, end marker), other GTP versions, or a
  // payload that is not IP.
  bool Gtpu(ByteReader& r, DecodeStatus* status) {
    if (!r.CanRead(8)) {
      *status = Fail(Anomaly::kGtpTruncated);
      return true;
    }
    const uint8_t flags = r.U8();
    const uint8_t type = r.U8();
    const uint16_t length = r.U16Be();
    r.Skip(4);  // TEID
    if ((flags & 0xf0) != 0x30) {  // version 1, protocol type GTP (not GTP')
      anomalies_->Increment(Anomaly::kGtpUnsupportedVersion);
      return false;
    }
    if (type != kGtpTypeGpdu) return false;
    ByteReader pdu = r.Sub(std::min<size_t>(length, r.remaining()));
    if ((flags & 0x07) != 0) {
      if (length < 4 || !pdu.Skip(3)) {
        *status = Fail(Anomaly::kGtpTruncated);
        return true;
      }
      uint8_t next = pdu.U8();
      while (next != 0) {
        const size_t ext_len = pdu.PeekU8(0) * 4u;
        if (ext_len == 0 || !pdu.CanRead(ext_len)) {
          *status = Fail(Anomaly::kGtpTruncated);
          return true;
        }
        next = pdu.PeekU8(ext_len - 1);
        pdu.Skip(ext_len);
      }
    }
    if (!pdu.CanRead(1)) {
      *status = Fail(Anomaly::kGtpTruncated);
      return true;
    }
    const uint8_t version = pdu.PeekU8(0) >> 4;
    if (version != 4 && version != 6) {
      anomalies_->Increment(Anomaly::kGtpUnsupportedPayload);
      return false;
    }
    if (!EnterTunnel()) {
      *status = DecodeStatus::kMalformed;
      return true;
    }
    *status = version == 4 ? Ipv4(pdu) : Ipv6(pdu);
    return true;
  }

  // CAPWAP data channel (RFC 5415) on UDP 5247: preamble(1: version 0, type 0 = clear, 1 =
  // DTLS) HLEN(5 bits, 4-byte words) RID(5) WBID(5) T F L W M K flags(3), ... up to HLEN*4.
  // T = 0: an 802.3 frame follows; T = 1 with WBID 1: an 802.11 frame, whose frame control
  // some access points (Cisco) send byte-swapped. Returns false, with *status untouched, when
  // the datagram is reported as plain UDP: DTLS, keep-alives, fragments, other bindings,
  // 802.11 frames that carry no LLC/SNAP data.
  bool CapwapData(ByteReader& r, DecodeStatus* status) {
    if (!r.CanRead(8)) {
      *status = Fail(Anomaly::kCapwapTruncated);
      return true;
    }
    const uint8_t preamble = r.PeekU8(0);
    const size_t header_len = (r.PeekU8(1) >> 3) * 4u;
    const uint8_t wbid = (r.PeekU8(2) >> 1) & 0x1f;
    const bool native = (r.PeekU8(2) & 0x01) != 0;
    const uint8_t flags = r.PeekU8(3);
    if (preamble != 0 || (flags & 0x80) != 0 || (native && wbid != 1)) {
      anomalies_->Increment(Anomaly::kCapwapUnsupported);  // DTLS, fragment, binding
      return false;
    }
    if (header_len < 8 || !r.Skip(header_len)) {
      *status = Fail(Anomaly::kCapwapTruncated);
      return true;
    }
    if ((flags & 0x08) != 0 || r.remaining() == 0) return false;  // keep-alive
    if (native) {
      size_t llc_offset = 0;
      if (ProbeIeee80211(r, /*try_swapped=*/true, &llc_offset) != WlanKind::kSnap) return false;
      r.Skip(llc_offset + 6);
      if (!EnterTunnel()) {
        *status = DecodeStatus::kMalformed;
        return true;
      }
      *status = EtherType(r.U16Be(), r);
      return true;
    }
    if (!EnterTunnel()) {
      *status = DecodeStatus::kMalformed;
      return true;
    }
    *status = Ethernet(r);
    return true;
  }

  enum class WlanKind : uint8_t { kSnap, kNotIp, kUnsupported, kTruncated };

  // Looks at an 802.11 frame without consuming or counting anything. kSnap: an unprotected
  // data frame whose LLC/SNAP header (AA AA 03 + OUI 3 bytes + ethertype 2) begins at
  // *llc_offset and is captured. kNotIp: management, control, null data, or a non-SNAP LLC.
  // kUnsupported: a protected (encrypted) frame, an A-MSDU, or a version other than 0.
  // `try_swapped` accepts a frame control with its two bytes swapped (flags first), recognised
  // by the version bits of the first byte being non-zero.
  static WlanKind ProbeIeee80211(const ByteReader& r, bool try_swapped, size_t* llc_offset) {
    if (!r.CanRead(24)) return WlanKind::kTruncated;
    uint8_t fc_type = r.PeekU8(0);
    uint8_t fc_flags = r.PeekU8(1);
    if ((fc_type & 0x03) != 0 && try_swapped) std::swap(fc_type, fc_flags);
    if ((fc_type & 0x03) != 0) return WlanKind::kUnsupported;
    const uint8_t frame_type = (fc_type >> 2) & 0x03;
    const uint8_t subtype = fc_type >> 4;
    if (frame_type != 2 || (subtype & 0x04) != 0) return WlanKind::kNotIp;  // not data / null
    if ((fc_flags & 0x40) != 0) return WlanKind::kUnsupported;              // protected
    size_t header_len = 24;
    if ((fc_flags & 0x03) == 0x03) header_len += 6;  // to DS and from DS: address 4
    if ((subtype & 0x08) != 0) {                     // QoS data: QoS control, maybe HT control
      if (!r.CanRead(header_len + 2)) return WlanKind::kTruncated;
      if ((r.PeekU8(header_len) & 0x80) != 0) return WlanKind::kUnsupported;  // A-MSDU
      header_len += 2 + ((fc_flags & 0x80) != 0 ? 4u : 0u);
    }
    if (!r.CanRead(header_len + 8)) return WlanKind::kTruncated;
    if (r.PeekU8(header_len) != 0xaa || r.PeekU8(header_len + 1) != 0xaa ||
        r.PeekU8(header_len + 2) != 0x03) {
      return WlanKind::kNotIp;
    }
    *llc_offset = header_len;
    return WlanKind::kSnap;
  }

  // GRE version 0 (RFC 2784/2890): C, K, S optional words; R (source routing) unsupported.
  DecodeStatus Gre(ByteReader& r) {
    if (!r.CanRead(4)) return Fail(Anomaly::kGreTruncated);
    const uint16_t flags = r.U16Be();
    const uint16_t protocol = r.U16Be();
    if ((flags & 0x7) == 1) return EnhancedGre(flags, protocol, r);
    if ((flags & 0x7) != 0) {
      return Fail(Anomaly::kGreUnsupportedVersion, DecodeStatus::kUnsupported);
    }
    if ((flags & 0x4000) != 0) return Fail(Anomaly::kGreSourceRouting, DecodeStatus::kUnsupported);
    const bool has_sequence = (flags & 0x1000) != 0;
    const size_t optional_len = ((flags & 0x8000) != 0 ? 4u : 0u) +
                                ((flags & 0x2000) != 0 ? 4u : 0u) + (has_sequence ? 4u : 0u);
    if (!r.Skip(optional_len)) return Fail(Anomaly::kGreTruncated);
    switch (protocol) {
      case kEtherIpv4:
      case kEtherIpv6:
      case kEtherTransparentBridging:
      case kEtherMplsUnicast:
      case kEtherMplsMulticast:
      case kEtherErspan2:
      case kEtherErspan3:
        break;
      default:
        return Fail(Anomaly::kGreUnsupportedProtocol, DecodeStatus::kUnsupported);
    }
    if (!EnterTunnel()) return DecodeStatus::kMalformed;
    switch (protocol) {
      case kEtherIpv4:
        return Ipv4(r);
      case kEtherIpv6:
        return Ipv6(r);
      case kEtherTransparentBridging:
        return Ethernet(r);
      case kEtherErspan2:
        // Type I has no sequence number and no ERSPAN header; type II has an 8-byte header
        // with version 1.
        if (!has_sequence) return Ethernet(r);
        if (!r.CanRead(8)) return Fail(Anomaly::kErspanTruncated);
        if ((r.PeekU8(0) >> 4) != 1) {
          return Fail(Anomaly::kErspanUnsupportedVersion, DecodeStatus::kUnsupported);
        }
        r.Skip(8);
        return Ethernet(r);
      case kEtherErspan3: {
        // Type III: 12-byte header (version 2), plus an 8-byte platform subheader when the
        // O bit (lowest bit of the last byte) is set.
        if (!r.CanRead(12)) return Fail(Anomaly::kErspanTruncated);
        if ((r.PeekU8(0) >> 4) != 2) {
          return Fail(Anomaly::kErspanUnsupportedVersion, DecodeStatus::kUnsupported);
        }
        const size_t len = 12u + ((r.PeekU8(11) & 1) != 0 ? 8u : 0u);
        if (!r.Skip(len)) return Fail(Anomaly::kErspanTruncated);
        return Ethernet(r);
      }
      default:
        return Mpls(r);
    }
  }

  // Enhanced GRE (version 1, RFC 2637, PPTP): K is mandatory (payload length + call id),
  // S and A (0x0080) add a sequence and an acknowledgement number; the payload is PPP.
  DecodeStatus EnhancedGre(uint16_t flags, uint16_t protocol, ByteReader& r) {
    if (protocol != kGrePpp || (flags & 0x2000) == 0 || (flags & 0xc000) != 0) {
      return Fail(Anomaly::kGreUnsupportedVersion, DecodeStatus::kUnsupported);
    }
    const size_t optional_len =
        4u + ((flags & 0x1000) != 0 ? 4u : 0u) + ((flags & 0x0080) != 0 ? 4u : 0u);
    if (!r.Skip(optional_len)) return Fail(Anomaly::kGreTruncated);
    if (r.remaining() == 0) {  // an acknowledgement without payload
      anomalies_->Increment(Anomaly::kNonIpPacket);
      return DecodeStatus::kNotIp;
    }
    if (!EnterTunnel()) return DecodeStatus::kMalformed;
    // Address and control bytes (0xff 0x03) unless the peers negotiated them away.
    if (r.PeekU8(0) == 0xff && r.PeekU8(1) == 0x03) r.Skip(2);
    return Ppp(r, Anomaly::kGreTruncated, Anomaly::kGreUnsupportedProtocol);
  }

  // A PPP frame from its protocol field: IPv4 and IPv6 are decoded, control protocols are
  // not IP, anything else counts `unsupported`.
  DecodeStatus Ppp(ByteReader& r, Anomaly truncated, Anomaly unsupported) {
    // PPP protocol field compression: an odd first byte is a one-byte protocol.
    uint16_t protocol = r.U8();
    if ((protocol & 1) == 0) protocol = static_cast<uint16_t>((protocol << 8) | r.U8());
    if (!r.ok()) return Fail(truncated);
    switch (protocol) {
      case kPppIpv4:
        return Ipv4(r);
      case kPppIpv6:
        return Ipv6(r);
      case kPppMplsUnicast:
      case kPppMplsMulticast:
        return Mpls(r);
      default:
        // 0x8xxx network control (IPCP...), 0xCxxx link control (LCP, PAP, CHAP): not IP.
        if (protocol >= 0x8000) {
          anomalies_->Increment(Anomaly::kNonIpPacket);
          return DecodeStatus::kNotIp;
        }
        return Fail(unsupported, DecodeStatus::kUnsupported);
    }
  }

  // MPLS label stack up to bottom-of-stack; the payload is guessed from its first nibble
  // (4, 6, or 0 = pseudowire control word followed by Ethernet, RFC 4448).
  DecodeStatus Mpls(ByteReader& r) {
    for (int labels = 0;; ++labels) {
      if (labels >= limits::kMaxMplsLabels) return Fail(Anomaly::kMplsTooDeep);
      if (!r.CanRead(4)) return Fail(Anomaly::kMplsTruncated);
      if ((r.U32Be() & 0x100) != 0) break;
    }
    if (!r.CanRead(1)) return Fail(Anomaly::kMplsTruncated);
    switch (r.PeekU8() >> 4) {
      case 4:
        return Ipv4(r);
      case 6:
        return Ipv6(r);
      case 0:
        if (!r.Skip(4)) return Fail(Anomaly::kMplsTruncated);
        if (!EnterTunnel()) return DecodeStatus::kMalformed;
        return Ethernet(r);
      default:
        return Fail(Anomaly::kMplsUnknownPayload, DecodeStatus::kUnsupported);
    }
  }

  // PPPoE session stage (RFC 2516): ver/type 0x11, code 0, session id, length, then PPP.
  DecodeStatus Pppoe(ByteReader& r) {
    if (!r.CanRead(8)) return Fail(Anomaly::kPppoeTruncated);
    const uint8_t version_type = r.U8();
    const uint8_t code = r.U8();
    r.Skip(2);  // session id
    const uint16_t length = r.U16Be();
    if (version_type != 0x11 || code != 0 || length < 2) return Fail(Anomaly::kPppoeBadHeader);
    ByteReader ppp = r.Sub(std::min<size_t>(length, r.remaining()));
    return Ppp(ppp, Anomaly::kPppoeTruncated, Anomaly::kPppoeUnsupportedProtocol);
  }

  PacketInfo* out_;
  AnomalyCounters* anomalies_;
  int tunnel_depth_ = 0;
};

// Big-endian loads through a pointer whose bytes the caller has bounds-checked with
// ByteReader::CanRead: one unaligned load and a byte swap each.
inline uint16_t LoadBe16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap16(v);
  return v;
}
inline uint32_t LoadBe32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

// TCP flag combinations no stack sends on its own (SYN+FIN, SYN+RST, none of SYN/ACK/RST:
// scans), as a table so the fast path pays one load for the test.
constexpr bool IsOddTcpFlags(uint8_t flags) {
  return ((flags & (kTcpSyn | kTcpFin)) == (kTcpSyn | kTcpFin)) ||
         ((flags & (kTcpSyn | kTcpRst)) == (kTcpSyn | kTcpRst)) ||
         (flags & (kTcpSyn | kTcpAck | kTcpRst)) == 0;
}
constexpr std::array<bool, 256> kOddTcpFlags = [] {
  std::array<bool, 256> table{};
  for (int f = 0; f < 256; ++f) table[f] = IsOddTcpFlags(static_cast<uint8_t>(f));
  return table;
}();

// DecodeCommonEthernet below writes every field; a new field must be written there too.
static_assert(sizeof(PacketInfo) == 96, "update DecodeCommonEthernet for the new PacketInfo field");

// The common case in one pass: Ethernet (untagged or one 802.1Q tag) -> IPv4 without options,
// not fragmented, or IPv6 without extension headers -> TCP or UDP on a port that carries no
// tunnel quench opens, every length consistent and the IP packet fully captured. Each header
// is covered by one CanRead() and its fields are loaded from the checked pointer. Returns true
// having written every PacketInfo field (the status is kOk); returns false having counted
// nothing, and the general decoder then starts over. Same results as the general decoder
// (decoder_test checks both paths on the same frames).
inline bool DecodeCommonEthernet(const Frame& frame, PacketInfo* out, AnomalyCounters* anomalies) {
  const ByteReader r(frame.data, frame.caplen);
  constexpr size_t kEthernetLen = 14;
  constexpr size_t kVlanTagLen = 4;
  constexpr size_t kIpv4Len = 20;
  constexpr size_t kIpv6Len = 40;
  constexpr size_t kUdpLen = 8;
  constexpr size_t kTcpLen = 20;
  if (!r.CanRead(kEthernetLen + kIpv4Len + kUdpLen)) return false;  // the smallest case
  const uint8_t* const eth = r.current();
  size_t ip_offset = kEthernetLen;
  uint16_t vlan = 0;
  uint16_t type = LoadBe16(eth + 12);
  if (type == kEtherVlan) {
    ip_offset += kVlanTagLen;
    if (!r.CanRead(ip_offset + kIpv4Len + kUdpLen)) return false;
    vlan = LoadBe16(eth + 14) & 0x0fff;
    type = LoadBe16(eth + 16);
  }
  const uint8_t* const ip = eth + ip_offset;
  const uint8_t* l4;
  uint32_t ip_len;
  uint32_t l4_len;
  uint8_t proto;
  if (type == kEtherIpv4) {
    if (ip[0] != 0x45) return false;  // version 4, no options
    ip_len = LoadBe16(ip + 2);
    const uint16_t frag = LoadBe16(ip + 6);
    // Fragments, total length 0 (offload) or beyond the capture: the general decoder.
    if ((frag & 0x3fff) != 0 || ip_len < kIpv4Len + kUdpLen || !r.CanRead(ip_offset + ip_len)) {
      return false;
    }
    proto = ip[9];
    l4 = ip + kIpv4Len;
    l4_len = ip_len - static_cast<uint32_t>(kIpv4Len);
    out->src = IpAddress::FromV4Bytes(ip + 12);
    out->dst = IpAddress::FromV4Bytes(ip + 16);
    out->ip_version = 4;
  } else if (type == kEtherIpv6) {
    if (!r.CanRead(ip_offset + kIpv6Len) || (ip[0] >> 4) != 6) return false;
    l4_len = LoadBe16(ip + 4);
    if (!r.CanRead(ip_offset + kIpv6Len + l4_len)) return false;
    proto = ip[6];  // extension headers, jumbograms (next header 0): the general decoder
    l4 = ip + kIpv6Len;
    ip_len = static_cast<uint32_t>(kIpv6Len) + l4_len;
    out->src = IpAddress::FromV6Bytes(ip + 8);
    out->dst = IpAddress::FromV6Bytes(ip + 24);
    out->ip_version = 6;
  } else {
    return false;
  }
  // The L4 bytes l4[0, l4_len) are inside the CanRead() that covered the IP packet.
  uint32_t header_len;
  uint32_t payload_len;
  if (proto == kIpProtoTcp) {
    if (l4_len < kTcpLen) return false;
    header_len = (l4[12] >> 4) * 4u;
    if (header_len < kTcpLen || header_len > l4_len) return false;
    const uint8_t flags = l4[13];
    out->tcp_seq = LoadBe32(l4 + 4);
    out->tcp_ack = LoadBe32(l4 + 8);
    out->tcp_flags = flags;
    payload_len = l4_len - header_len;
    if (kOddTcpFlags[flags]) [[unlikely]] {
      anomalies->Increment(Anomaly::kTcpBadFlags);  // scans: counted, still decoded
    }
  } else if (proto == kIpProtoUdp) {
    if (l4_len < kUdpLen) return false;
    const uint32_t udp_len = LoadBe16(l4 + 4);
    const uint16_t sport = LoadBe16(l4);
    const uint16_t dport = LoadBe16(l4 + 2);
    if (udp_len < kUdpLen || udp_len > l4_len || dport == kVxlanPort || sport == kGtpuPort ||
        dport == kGtpuPort || sport == kCapwapDataPort || dport == kCapwapDataPort) {
      return false;
    }
    header_len = kUdpLen;
    payload_len = udp_len - static_cast<uint32_t>(kUdpLen);
    out->tcp_seq = 0;
    out->tcp_ack = 0;
    out->tcp_flags = 0;
  } else {
    return false;
  }
  out->ts = frame.ts;
  out->sport = LoadBe16(l4);
  out->dport = LoadBe16(l4 + 2);
  out->ip_proto = proto;
  out->tunnel_depth = 0;
  out->vlan = vlan;
  out->has_ports = true;
  out->is_fragment = false;
  out->is_first_fragment = false;
  out->ip_id = 0;
  out->wire_len = frame.wire_len;
  out->ip_len = ip_len;
  out->payload_len = payload_len;
  out->payload = l4 + header_len;
  out->payload_caplen = payload_len;  // the whole IP packet is captured
  return true;
}

}  // namespace

std::string_view DecodeStatusName(DecodeStatus s) {
  switch (s) {
    case DecodeStatus::kOk:
      return "ok";
    case DecodeStatus::kNotIp:
      return "not_ip";
    case DecodeStatus::kMalformed:
      return "malformed";
    case DecodeStatus::kUnsupported:
      return "unsupported";
  }
  return "unknown";
}

DecodeStatus DecodeFrame(const Frame& frame, PacketInfo* out, AnomalyCounters* anomalies) {
  if (frame.linktype == LinkType::kEthernet && DecodeCommonEthernet(frame, out, anomalies))
      [[likely]] {
    return DecodeStatus::kOk;
  }
  // Copying a constant compiles to a few vector moves; `= PacketInfo{}` became `rep stos`,
  // which cost a third of the time of a whole Ethernet/IPv4/TCP decode.
  static constexpr PacketInfo kEmpty{};
  *out = kEmpty;
  out->ts = frame.ts;
  out->wire_len = frame.wire_len;
  Decoder decoder(out, anomalies);
  ByteReader r(frame.data, frame.caplen);
  switch (frame.linktype) {
    case LinkType::kEthernet:
      return decoder.Ethernet(r);
    case LinkType::kRaw:
    case LinkType::kRawAlt:
      return decoder.Raw(r);
    case LinkType::kIpv4:
      return decoder.Ipv4(r);
    case LinkType::kIpv6:
      return decoder.Ipv6(r);
    case LinkType::kLinuxSll:
      return decoder.Sll(r);
    case LinkType::kLinuxSll2:
      return decoder.Sll2(r);
    case LinkType::kNull:
      return decoder.Null(r, /*network_order=*/false);
    case LinkType::kLoop:
      return decoder.Null(r, /*network_order=*/true);
    case LinkType::kPpp:
    case LinkType::kPppSerial:
      return decoder.PppLink(r);
    case LinkType::kCiscoHdlc:
      return decoder.CiscoHdlc(r);
    case LinkType::kIeee80211:
      return decoder.Ieee80211(r);
    case LinkType::kPpi:
      return decoder.Ppi(r);
  }
  anomalies->Increment(Anomaly::kCaptureUnsupportedLinktype);
  return DecodeStatus::kUnsupported;
}

}  // namespace quench
