#include "app_payload.h"

#include <cstring>

#include "bytes.h"

namespace pcapgen {

namespace {

void FillRandom(uint8_t* out, size_t len, Rng& rng) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    const uint64_t r = rng.Next();
    std::memcpy(out + i, &r, 8);
  }
  if (i < len) {
    const uint64_t r = rng.Next();
    std::memcpy(out + i, &r, len - i);
  }
}

constexpr const char* kDnsNames[] = {"www.example.com", "mail.example.org", "update.example.net",
                                     "cdn.example.com", "time.example.org",  "api.example.net"};

size_t FillDns(bool from_client, uint32_t conversation, uint8_t* out) {
  const char* name = kDnsNames[conversation % (sizeof(kDnsNames) / sizeof(kDnsNames[0]))];
  Put16(out, static_cast<uint16_t>(conversation * 2654435761u >> 16));  // transaction id
  Put16(out + 2, from_client ? 0x0100 : 0x8180);                        // RD / QR RD RA
  Put16(out + 4, 1);
  Put16(out + 6, from_client ? 0 : 1);
  Put16(out + 8, 0);
  Put16(out + 10, 0);
  size_t pos = 12;
  for (const char* label = name; *label != 0;) {
    const char* dot = std::strchr(label, '.');
    const size_t n = dot == nullptr ? std::strlen(label) : static_cast<size_t>(dot - label);
    out[pos++] = static_cast<uint8_t>(n);
    std::memcpy(out + pos, label, n);
    pos += n;
    label += n + (dot == nullptr ? 0 : 1);
  }
  out[pos++] = 0;
  Put16(out + pos, 1);  // A
  Put16(out + pos + 2, 1);  // IN
  pos += 4;
  if (!from_client) {
    Put16(out + pos, 0xc00c);  // pointer to the question name
    Put16(out + pos + 2, 1);
    Put16(out + pos + 4, 1);
    Put32(out + pos + 6, 300);
    Put16(out + pos + 10, 4);
    Put32(out + pos + 12, 0xc0000200u | (conversation & 0xff));  // 192.0.2.x
    pos += 16;
  }
  return pos;
}

size_t FillNtp(bool from_client, uint32_t index, Rng& rng, uint8_t* out) {
  std::memset(out, 0, 48);
  out[0] = static_cast<uint8_t>((4 << 3) | (from_client ? 3 : 4));  // version 4, client/server
  if (!from_client) {
    out[1] = 2;     // stratum
    out[2] = 6;     // poll
    out[3] = 0xe9;  // precision
    Put32(out + 12, 0xc0000201);  // reference id
    for (int ts = 16; ts < 48; ts += 8) Put32(out + ts, 0xe9500000u + index);
  }
  Put32(out + 40, 0xe9500000u + index);  // transmit timestamp seconds
  Put32(out + 44, static_cast<uint32_t>(rng.Next()));
  return 48;
}

size_t FillTls(size_t len, Rng& rng, uint8_t* out) {
  if (len < 6) len = 6;
  // One application_data record per segment, at most 16 KiB + overhead each.
  size_t pos = 0;
  while (pos < len) {
    size_t body = len - pos - 5;
    if (body > 16384) body = 16384;
    if (len - pos - 5 - body < 6 && len - pos - 5 - body > 0) body = len - pos - 5;  // no runt tail
    out[pos] = 23;
    Put16(out + pos + 1, 0x0303);
    Put16(out + pos + 3, static_cast<uint16_t>(body));
    FillRandom(out + pos + 5, body, rng);
    pos += 5 + body;
  }
  return pos;
}

size_t FillSsh(size_t len, Rng& rng, uint8_t* out) {
  // An SSH_MSG_IGNORE binary packet (RFC 4253 section 6): length, padding length, message,
  // string data, padding; total a multiple of 8.
  if (len < 16) len = 16;
  len &= ~size_t{7};
  const size_t padding = 4 + (len - 16) % 8;  // >= 4
  const size_t data_len = len - 4 - 1 - 1 - 4 - padding;
  Put32(out, static_cast<uint32_t>(len - 4));
  out[4] = static_cast<uint8_t>(padding);
  out[5] = 2;  // SSH_MSG_IGNORE
  Put32(out + 6, static_cast<uint32_t>(data_len));
  FillRandom(out + 10, data_len + padding, rng);
  return len;
}

size_t FillSmb(bool from_client, uint32_t index, size_t len, Rng& rng, uint8_t* out) {
  // NetBIOS session message carrying an SMB2 READ/WRITE-style header and an opaque body.
  if (len < 4 + 64 + 16) len = 4 + 64 + 16;
  out[0] = 0;
  out[1] = static_cast<uint8_t>((len - 4) >> 16);
  Put16(out + 2, static_cast<uint16_t>(len - 4));
  uint8_t* h = out + 4;
  std::memset(h, 0, 64);
  h[0] = 0xfe;
  h[1] = 'S';
  h[2] = 'M';
  h[3] = 'B';
  h[4] = 64;                  // structure size (little-endian)
  h[12] = 0x0d;               // command: LOCK (a fixed-size body we fill with zeros)
  if (!from_client) h[16] = 1;  // flags: response
  h[24] = static_cast<uint8_t>(index);  // message id (LE)
  h[25] = static_cast<uint8_t>(index >> 8);
  // LOCK request body: StructureSize 48; response: StructureSize 4. Pad the rest.
  uint8_t* b = h + 64;
  std::memset(b, 0, len - 68);
  if (from_client) {
    b[0] = 48;
    b[2] = 1;  // one lock element follows (24 bytes, zero)
  } else {
    b[0] = 4;
  }
  (void)rng;
  return len;
}

}  // namespace

App AppFor(Proto proto, uint16_t server_port) {
  if (proto == Proto::kUdp) {
    if (server_port == 53) return App::kDns;
    if (server_port == 123) return App::kNtp;
    return App::kGeneric;
  }
  if (proto != Proto::kTcp) return App::kGeneric;
  switch (server_port) {
    case 443: return App::kTls;
    case 22: return App::kSsh;
    case 445: return App::kSmb;
    default: return App::kGeneric;
  }
}

size_t FillPayload(App app, bool from_client, uint32_t index, size_t len, uint32_t conversation, Rng& rng,
                   uint8_t* out) {
  switch (app) {
    case App::kDns: return FillDns(from_client, conversation + index, out);
    case App::kNtp: return FillNtp(from_client, index, rng, out);
    case App::kTls: return FillTls(len, rng, out);
    case App::kSsh: return FillSsh(len, rng, out);
    case App::kSmb: return FillSmb(from_client, index, len, rng, out);
    case App::kGeneric: break;
  }
  FillRandom(out, len, rng);
  return len;
}

}  // namespace pcapgen
