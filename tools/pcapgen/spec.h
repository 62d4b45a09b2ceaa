// Spec: the JSON description pcapgen turns into a capture (format in README.md), and its
// parser. ParseSpec validates everything up front and names the source and the offending
// field in its errors ("demo.json: flows[3].client: not an IP address"). Plain values;
// thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture_writer.h"
#include "packet_builder.h"
#include "quench/core/ip_address.h"
#include "quench/core/status.h"
#include "quench/core/time.h"

namespace pcapgen {

enum class Handshake : uint8_t { kFull, kNone, kSynOnly, kSynRst };
enum class Teardown : uint8_t { kFin, kRst, kNone };

struct SizeRange {
  uint32_t min = 0;
  uint32_t max = 0;
};

// Caps on what a spec may ask for; generous, but they keep a typo from filling the disk.
inline constexpr uint32_t kMaxSpecPayload = 8960;       // jumbo frame payload
inline constexpr uint32_t kMaxPacketsPerDirection = 1'000'000;
inline constexpr uint32_t kMaxRepeat = 1'000'000;

struct RepeatSpec {
  uint32_t count = 1;
  double interval_s = 0;
  double jitter_s = 0;              // each instance starts up to this much later
  int32_t client_port_step = 1;     // added to the client port per instance
  std::optional<quench::IpPrefix> client_cidr;  // instance i takes host i+1 of the block
  std::optional<quench::IpPrefix> server_cidr;
};

struct FlowSpec {
  std::string name;
  Proto proto = Proto::kTcp;
  quench::IpAddress client, server;
  std::optional<uint16_t> client_port;  // absent: an ephemeral port from the seed
  uint16_t server_port = 0;
  uint16_t vlans[2] = {0, 0};
  int vlan_count = 0;
  Encap encap = Encap::kNone;
  quench::IpAddress outer_client, outer_server;
  uint32_t vni = 0;
  double start_s = 0;
  double duration_s = 1;
  double rtt_s = 0.02;
  uint32_t packets_to_server = 1;
  uint32_t packets_to_client = 1;
  SizeRange client_payload{40, 400};
  SizeRange server_payload{40, 1200};
  std::string first_client_payload;
  std::string first_server_payload;
  Handshake handshake = Handshake::kFull;
  Teardown teardown = Teardown::kFin;
  uint32_t syn_retries = 0;
  uint8_t client_ttl = 64;
  uint8_t server_ttl = 56;
  RepeatSpec repeat;

  // Number of connection instances this entry describes (repeat.count).
  uint32_t instances() const { return repeat.count; }
};

struct Spec {
  uint64_t seed = 1;
  quench::Timestamp start = 0;
  Link link = Link::kEthernet;
  FileFormat format = FileFormat::kPcap;
  std::vector<FlowSpec> flows;
};

// Parses and validates a spec; `source` names it in errors (usually the file path).
quench::Result<Spec> ParseSpec(std::string_view json_text, const std::string& source);
// Reads `path` and parses it.
quench::Result<Spec> LoadSpec(const std::string& path);

}  // namespace pcapgen
