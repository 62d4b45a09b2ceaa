// Names for protocol numbers and TCP flags, as quench prints them in JSON and reports.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace quench {

// "tcp", "udp", "icmp", "icmpv6", "gre", "esp", ...; other numbers as decimal text ("132").
std::string ProtoName(uint8_t proto);
// nfdump-style flag string over CWR ECE URG ACK PSH RST SYN FIN: "...A..S." -> "CEUAPRSF".
std::string TcpFlagsString(uint8_t flags);

}  // namespace quench
