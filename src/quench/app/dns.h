// DNS message parser: one message (a UDP payload, or one length-prefixed TCP message) into a
// DnsMessage holding the header, the questions and the A/AAAA/CNAME answers. Never throws,
// never logs, never allocates: the DnsMessage owns fixed arrays and a fixed text arena, and
// parsing into it again reuses them (keep one per worker thread as scratch). Name text lives
// in that arena and is reached through DnsMessage::Text(); views stay valid until the next
// parse into the same DnsMessage. Stateless free functions; thread-safe given distinct outputs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "quench/core/ip_address.h"

namespace quench {

// Why a message was rejected (or where parsing stopped); names are stable (snake_case in
// DnsParseStatusName) so they can become anomaly counters when wired into the pipeline.
enum class DnsParseStatus : uint8_t {
  kOk = 0,
  kTruncatedHeader,     // fewer than 12 bytes
  kTruncatedName,       // a name runs past the end of the message
  kTruncatedQuestion,   // type/class missing after a question name
  kTruncatedRecord,     // a resource record's fixed part or RDATA runs past the end
  kLabelTooLong,        // a label length byte in 64..191 (top bits 01: obsolete/unknown type)
  kBadLabelType,        // a label length byte with top bits 10 (reserved)
  kNameTooLong,         // the expanded name exceeds 255 bytes on the wire (RFC 1035 3.1)
  kPointerForward,      // a compression pointer that does not point strictly backwards
  kTooManyPointers,     // more than kMaxDnsPointerHops pointers in one name
  kBadRdata,            // A/AAAA RDATA of the wrong size, or a CNAME name not filling RDATA
  kTruncatedTcpLength,  // TCP: fewer than 2 bytes, or the length prefix exceeds the bytes given
};
inline constexpr int kDnsParseStatusCount = 12;
std::string_view DnsParseStatusName(DnsParseStatus status);

// Caps; a message beyond them still parses, the extra entries are counted, not stored.
inline constexpr size_t kMaxDnsQuestions = 4;      // real queries carry exactly one
inline constexpr size_t kMaxDnsAnswers = 32;       // A/AAAA/CNAME answers kept per message
inline constexpr size_t kMaxDnsPointerHops = 32;   // compression pointers followed per name
inline constexpr size_t kMaxDnsNameWire = 255;     // RFC 1035 3.1, including the root byte
inline constexpr size_t kMaxDnsLabel = 63;         // RFC 1035 3.1
// Longest name text: every byte escaped as \DDD (4 chars) plus dots; 255 wire bytes give at
// most 253 label bytes and 127 dots, so 1024 is a safe bound.
inline constexpr size_t kMaxDnsNameText = 1024;
// Text arena per message: enough for a typical response (several long names); a name that
// does not fit is stored empty with `text_dropped` counted.
inline constexpr size_t kDnsTextArenaSize = 4096;

inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsTypeCname = 5;
inline constexpr uint16_t kDnsTypeAaaa = 28;

// A name's text inside the owning DnsMessage's arena.
struct DnsText {
  uint16_t offset = 0;
  uint16_t size = 0;
};

struct DnsHeader {
  uint16_t id = 0;
  uint16_t flags = 0;  // the raw 16-bit flags word
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;
  bool is_response() const { return (flags & 0x8000) != 0; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0xf); }
  bool truncated() const { return (flags & 0x0200) != 0; }  // TC bit
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xf); }  // without EDNS bits
};

struct DnsQuestion {
  DnsText name;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
};

struct DnsAnswer {
  DnsText name;
  uint16_t rtype = 0;  // kDnsTypeA, kDnsTypeAaaa or kDnsTypeCname
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  IpAddress address;   // A and AAAA
  DnsText cname;       // CNAME target
};

class DnsMessage {
 public:
  DnsHeader header;
  // Stored questions/answers (at most the caps above), in message order.
  std::array<DnsQuestion, kMaxDnsQuestions> questions;
  std::array<DnsAnswer, kMaxDnsAnswers> answers;
  size_t question_count = 0;
  size_t answer_count = 0;
  uint16_t questions_dropped = 0;   // well-formed questions beyond kMaxDnsQuestions
  uint16_t answers_dropped = 0;     // A/AAAA/CNAME answers beyond kMaxDnsAnswers
  // Answer-section records not stored: other types, or every record when the opcode is not
  // QUERY (inverse queries and UPDATEs put other things there).
  uint16_t other_answers = 0;
  uint16_t text_dropped = 0;        // names stored empty because the arena was full
  // Bytes of the message the parser consumed (header through the last section read).
  size_t parsed_bytes = 0;

  std::string_view Text(DnsText t) const { return {arena_.data() + t.offset, t.size}; }
  std::span<const DnsQuestion> Questions() const { return {questions.data(), question_count}; }
  std::span<const DnsAnswer> Answers() const { return {answers.data(), answer_count}; }

  void Clear();
  // Appends text to the arena; an empty DnsText (and text_dropped++) when it does not fit.
  DnsText Store(std::string_view text);

 private:
  std::array<char, kDnsTextArenaSize> arena_{};
  size_t arena_used_ = 0;
};

// Parses one DNS message (a UDP payload). Reads header, questions, answers and walks the
// authority and additional sections for well-formedness. On an error `out` keeps what was
// parsed before the damage (header, earlier questions and answers). REQUIRES: out non-null.
DnsParseStatus ParseDnsMessage(std::span<const uint8_t> message, DnsMessage* out);

// Parses the first message of a DNS-over-TCP stream: a 2-byte big-endian length, then the
// message. `consumed` (optional) receives 2 + length on success, so a caller can loop over a
// segment holding several messages. REQUIRES: out non-null.
DnsParseStatus ParseDnsTcpMessage(std::span<const uint8_t> stream, DnsMessage* out,
                                  size_t* consumed = nullptr);

// Reads the (possibly compressed) name at `offset` of `message` into `text` as canonical
// text: ASCII lowercased, labels joined by '.', no trailing dot ("." for the root), bytes
// outside 0x21..0x7e written as \DDD (decimal, as dig does), '.' and '\' inside a label
// escaped with '\'. `end_offset` receives the offset just past the name where it sits
// (after its first pointer, if any). REQUIRES: text_cap >= kMaxDnsNameText.
DnsParseStatus ReadDnsName(std::span<const uint8_t> message, size_t offset, char* text,
                           size_t text_cap, size_t* text_len, size_t* end_offset);

}  // namespace quench
