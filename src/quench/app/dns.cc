// DNS message parsing (see dns.h).
//
// Worked example of name decompression with the backwards rule. In a response
//   offset 12: 03 'w' 'w' 'w' 07 'e' 'x' 'a' 'm' 'p' 'l' 'e' 03 'c' 'o' 'm' 00
//   offset 40: 03 'f' 't' 'p' C0 10
// the name at 40 reads label "ftp" (segment start 40), then the pointer C0 10 -> offset 16,
// which is below the segment start 40, so it is followed: "example", "com", root. Result
// "ftp.example.com", end offset 46 (just past the pointer). Each pointer must land strictly
// below the start of the segment that contains it, so segment starts strictly decrease and a
// loop (C0 0C at offset 12, or two names pointing at each other) is rejected as
// kPointerForward after at most one hop; kMaxDnsPointerHops bounds the rest.
#include "quench/app/dns.h"

#include "quench/core/byte_reader.h"

namespace quench {

namespace {

constexpr size_t kHeaderSize = 12;

enum class Section : uint8_t { kAnswer, kOther };

// Appends one label byte to text in canonical form. Returns false when out of room.
bool AppendLabelByte(uint8_t b, char* text, size_t cap, size_t* len) {
  if (b >= 'A' && b <= 'Z') b = static_cast<uint8_t>(b + ('a' - 'A'));
  if (b > 0x20 && b < 0x7f) {
    const bool escape = b == '.' || b == '\\';
    if (*len + (escape ? 2 : 1) > cap) return false;
    if (escape) text[(*len)++] = '\\';
    text[(*len)++] = static_cast<char>(b);
    return true;
  }
  if (*len + 4 > cap) return false;
  text[(*len)++] = '\\';
  text[(*len)++] = static_cast<char>('0' + b / 100);
  text[(*len)++] = static_cast<char>('0' + (b / 10) % 10);
  text[(*len)++] = static_cast<char>('0' + b % 10);
  return true;
}

ByteReader ReaderAt(std::span<const uint8_t> message, size_t offset) {
  ByteReader r(message);
  r.Skip(offset);
  return r;
}

// Parses one resource record at *pos; advances *pos past it.
DnsParseStatus ParseRecord(std::span<const uint8_t> message, size_t* pos, Section section,
                           DnsMessage* out) {
  char name[kMaxDnsNameText];
  size_t name_len = 0;
  size_t name_end = 0;
  DnsParseStatus st = ReadDnsName(message, *pos, name, sizeof(name), &name_len, &name_end);
  if (st != DnsParseStatus::kOk) return st;
  ByteReader r = ReaderAt(message, name_end);
  const uint16_t rtype = r.U16Be();
  const uint16_t rclass = r.U16Be();
  const uint32_t ttl = r.U32Be();
  const uint16_t rdlength = r.U16Be();
  if (!r.ok()) return DnsParseStatus::kTruncatedRecord;
  const size_t rdata_offset = r.position();
  ByteReader rdata = r.Sub(rdlength);
  if (!r.ok()) return DnsParseStatus::kTruncatedRecord;

  if (section == Section::kAnswer) {
    const bool wanted = rtype == kDnsTypeA || rtype == kDnsTypeAaaa || rtype == kDnsTypeCname;
    if (!wanted) {
      ++out->other_answers;
    } else {
      DnsAnswer answer;
      answer.rtype = rtype;
      answer.rclass = rclass;
      answer.ttl = ttl;
      if (rtype == kDnsTypeA || rtype == kDnsTypeAaaa) {
        uint8_t bytes[16];
        const size_t want = rtype == kDnsTypeA ? 4 : 16;
        if (rdlength != want || !rdata.Copy(bytes, want)) return DnsParseStatus::kBadRdata;
        answer.address =
            rtype == kDnsTypeA ? IpAddress::FromV4Bytes(bytes) : IpAddress::FromV6Bytes(bytes);
      } else {
        char target[kMaxDnsNameText];
        size_t target_len = 0;
        size_t target_end = 0;
        // The target may point anywhere earlier in the message, but its own bytes must fill
        // the RDATA exactly.
        st = ReadDnsName(message, rdata_offset, target, sizeof(target), &target_len,
                         &target_end);
        if (st != DnsParseStatus::kOk) return st;
        if (target_end != rdata_offset + rdlength) return DnsParseStatus::kBadRdata;
        answer.cname = DnsText{};
        if (out->answer_count < kMaxDnsAnswers) {
          answer.cname = out->Store({target, target_len});
        }
      }
      if (out->answer_count < kMaxDnsAnswers) {
        answer.name = out->Store({name, name_len});
        out->answers[out->answer_count++] = answer;
      } else {
        ++out->answers_dropped;
      }
    }
  }
  *pos = r.position();
  return DnsParseStatus::kOk;
}

}  // namespace

std::string_view DnsParseStatusName(DnsParseStatus status) {
  switch (status) {
    case DnsParseStatus::kOk: return "ok";
    case DnsParseStatus::kTruncatedHeader: return "dns_truncated_header";
    case DnsParseStatus::kTruncatedName: return "dns_truncated_name";
    case DnsParseStatus::kTruncatedQuestion: return "dns_truncated_question";
    case DnsParseStatus::kTruncatedRecord: return "dns_truncated_record";
    case DnsParseStatus::kLabelTooLong: return "dns_label_too_long";
    case DnsParseStatus::kBadLabelType: return "dns_bad_label_type";
    case DnsParseStatus::kNameTooLong: return "dns_name_too_long";
    case DnsParseStatus::kPointerForward: return "dns_pointer_forward";
    case DnsParseStatus::kTooManyPointers: return "dns_too_many_pointers";
    case DnsParseStatus::kBadRdata: return "dns_bad_rdata";
    case DnsParseStatus::kTruncatedTcpLength: return "dns_truncated_tcp_length";
  }
  return "unknown";
}

void DnsMessage::Clear() {
  header = DnsHeader{};
  question_count = 0;
  answer_count = 0;
  questions_dropped = 0;
  answers_dropped = 0;
  other_answers = 0;
  text_dropped = 0;
  parsed_bytes = 0;
  arena_used_ = 0;
}

DnsText DnsMessage::Store(std::string_view text) {
  if (text.size() > arena_.size() - arena_used_) {
    ++text_dropped;
    return DnsText{};
  }
  text.copy(arena_.data() + arena_used_, text.size());
  DnsText t{static_cast<uint16_t>(arena_used_), static_cast<uint16_t>(text.size())};
  arena_used_ += text.size();
  return t;
}

DnsParseStatus ReadDnsName(std::span<const uint8_t> message, size_t offset, char* text,
                           size_t text_cap, size_t* text_len, size_t* end_offset) {
  *text_len = 0;
  ByteReader r = ReaderAt(message, offset);
  size_t segment_start = offset;
  size_t wire_len = 0;
  size_t hops = 0;
  bool jumped = false;
  for (;;) {
    const uint8_t len = r.U8();
    if (!r.ok()) return DnsParseStatus::kTruncatedName;
    if (len == 0) {
      if (!jumped) *end_offset = r.position();
      break;
    }
    switch (len & 0xc0) {
      case 0xc0: {
        const uint8_t low = r.U8();
        if (!r.ok()) return DnsParseStatus::kTruncatedName;
        const size_t target = (size_t{len & 0x3fu} << 8) | low;
        if (!jumped) {
          *end_offset = r.position();
          jumped = true;
        }
        if (target >= segment_start) return DnsParseStatus::kPointerForward;
        if (++hops > kMaxDnsPointerHops) return DnsParseStatus::kTooManyPointers;
        r = ReaderAt(message, target);
        segment_start = target;
        continue;
      }
      case 0x40:
        return DnsParseStatus::kLabelTooLong;
      case 0x80:
        return DnsParseStatus::kBadLabelType;
      default:
        break;
    }
    // This label plus the root byte that must still follow.
    wire_len += 1 + size_t{len};
    if (wire_len + 1 > kMaxDnsNameWire) return DnsParseStatus::kNameTooLong;
    if (!r.CanRead(len)) return DnsParseStatus::kTruncatedName;
    if (*text_len > 0) {
      if (*text_len + 1 > text_cap) return DnsParseStatus::kNameTooLong;
      text[(*text_len)++] = '.';
    }
    for (uint8_t i = 0; i < len; ++i) {
      if (!AppendLabelByte(r.U8(), text, text_cap, text_len)) return DnsParseStatus::kNameTooLong;
    }
  }
  if (*text_len == 0) {
    if (text_cap < 1) return DnsParseStatus::kNameTooLong;
    text[(*text_len)++] = '.';
  }
  return DnsParseStatus::kOk;
}

DnsParseStatus ParseDnsMessage(std::span<const uint8_t> message, DnsMessage* out) {
  out->Clear();
  ByteReader r(message);
  DnsHeader& h = out->header;
  h.id = r.U16Be();
  h.flags = r.U16Be();
  h.qdcount = r.U16Be();
  h.ancount = r.U16Be();
  h.nscount = r.U16Be();
  h.arcount = r.U16Be();
  if (!r.ok()) {
    out->header = DnsHeader{};
    return DnsParseStatus::kTruncatedHeader;
  }
  size_t pos = kHeaderSize;
  out->parsed_bytes = pos;

  for (uint16_t i = 0; i < h.qdcount; ++i) {
    char name[kMaxDnsNameText];
    size_t name_len = 0;
    size_t name_end = 0;
    const DnsParseStatus st =
        ReadDnsName(message, pos, name, sizeof(name), &name_len, &name_end);
    if (st != DnsParseStatus::kOk) return st;
    ByteReader q = ReaderAt(message, name_end);
    const uint16_t qtype = q.U16Be();
    const uint16_t qclass = q.U16Be();
    if (!q.ok()) return DnsParseStatus::kTruncatedQuestion;
    if (out->question_count < kMaxDnsQuestions) {
      DnsQuestion& stored = out->questions[out->question_count++];
      stored.name = out->Store({name, name_len});
      stored.qtype = qtype;
      stored.qclass = qclass;
    } else {
      ++out->questions_dropped;
    }
    pos = q.position();
    out->parsed_bytes = pos;
  }

  const uint32_t records[3] = {h.ancount, h.nscount, h.arcount};
  for (int s = 0; s < 3; ++s) {
    // Only a standard query (opcode 0) has answers: in an inverse query or an UPDATE the
    // second section holds other things (prerequisites, RDATA of length 0).
    const bool answers = s == 0 && h.opcode() == 0;
    const Section section = answers ? Section::kAnswer : Section::kOther;
    for (uint32_t i = 0; i < records[s]; ++i) {
      const DnsParseStatus st = ParseRecord(message, &pos, section, out);
      if (st != DnsParseStatus::kOk) return st;
      if (s == 0 && !answers) ++out->other_answers;
      out->parsed_bytes = pos;
    }
  }
  return DnsParseStatus::kOk;
}

DnsParseStatus ParseDnsTcpMessage(std::span<const uint8_t> stream, DnsMessage* out,
                                  size_t* consumed) {
  ByteReader r(stream);
  const uint16_t length = r.U16Be();
  ByteReader body = r.Sub(length);
  if (!r.ok()) {
    out->Clear();
    return DnsParseStatus::kTruncatedTcpLength;
  }
  const DnsParseStatus st = ParseDnsMessage(body.rest(), out);
  if (st == DnsParseStatus::kOk && consumed != nullptr) *consumed = 2 + size_t{length};
  return st;
}

}  // namespace quench
