#include "quench/core/proto.h"

namespace quench {

std::string ProtoName(uint8_t proto) {
  switch (proto) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 4: return "ipip";
    case 6: return "tcp";
    case 17: return "udp";
    case 41: return "ipv6";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return "icmpv6";
    case 89: return "ospf";
    case 103: return "pim";
    case 112: return "vrrp";
    case 132: return "sctp";
    default: return std::to_string(proto);
  }
}

std::string TcpFlagsString(uint8_t flags) {
  static constexpr char kLetters[] = "CEUAPRSF";
  std::string out(8, '.');
  for (int i = 0; i < 8; ++i) {
    if (flags & (0x80 >> i)) out[static_cast<size_t>(i)] = kLetters[i];
  }
  return out;
}

}  // namespace quench
