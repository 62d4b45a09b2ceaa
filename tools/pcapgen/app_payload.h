// FillPayload: application bytes for synthetic flows, chosen by the server port so that
// dissectors (tshark, quench's own app parsers) see well-formed messages rather than noise:
// DNS queries/answers, NTP, TLS application-data records, SSH binary packets, SMB2 over NBSS.
// Other ports get a deterministic filler. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packet_builder.h"
#include "rng.h"

namespace pcapgen {

enum class App : uint8_t { kGeneric, kDns, kNtp, kTls, kSsh, kSmb };

App AppFor(Proto proto, uint16_t server_port);

// Writes about `len` bytes for the `index`-th data packet sent in one direction of a
// conversation tagged `conversation` (ties queries to answers) into `out` and returns the
// length actually written: some protocols fix or bound the size (DNS, NTP: their message
// size; framed protocols: at least their header). REQUIRES: out holds kMaxPayload bytes,
// len <= kMaxPayload - 64.
size_t FillPayload(App app, bool from_client, uint32_t index, size_t len, uint32_t conversation, Rng& rng,
                   uint8_t* out);

}  // namespace pcapgen
