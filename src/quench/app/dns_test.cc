// Tests for the DNS message parser over hand-built messages.
#include "quench/app/dns.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace quench {
namespace {

// Builds DNS messages byte by byte.
class Builder {
 public:
  Builder& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Builder& U16(uint16_t v) { return U8(static_cast<uint8_t>(v >> 8)).U8(static_cast<uint8_t>(v)); }
  Builder& U32(uint32_t v) { return U16(static_cast<uint16_t>(v >> 16)).U16(static_cast<uint16_t>(v)); }
  Builder& Header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns = 0,
                  uint16_t ar = 0) {
    return U16(id).U16(flags).U16(qd).U16(an).U16(ns).U16(ar);
  }
  // Uncompressed name from dotted text ("" is the root).
  Builder& Name(std::string_view dotted) {
    while (!dotted.empty()) {
      const size_t dot = dotted.find('.');
      const std::string_view label = dotted.substr(0, dot);
      U8(static_cast<uint8_t>(label.size()));
      for (char c : label) U8(static_cast<uint8_t>(c));
      dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    }
    return U8(0);
  }
  Builder& Label(std::string_view label) {
    U8(static_cast<uint8_t>(label.size()));
    for (char c : label) U8(static_cast<uint8_t>(c));
    return *this;
  }
  Builder& Pointer(uint16_t offset) { return U16(static_cast<uint16_t>(0xc000 | offset)); }
  Builder& Raw(std::initializer_list<uint8_t> b) {
    bytes_.insert(bytes_.end(), b);
    return *this;
  }
  // Record fixed part after the name.
  Builder& Rr(uint16_t type, uint32_t ttl, uint16_t rdlength) {
    return U16(type).U16(1).U32(ttl).U16(rdlength);
  }
  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

std::vector<uint8_t> Query(std::string_view name, uint16_t qtype) {
  Builder b;
  b.Header(0x1234, 0x0100, 1, 0).Name(name).U16(qtype).U16(1);
  return b.bytes();
}

// Response: www.example.com CNAME web.example.net, web.example.net A 192.0.2.7,
// web.example.net AAAA 2001:db8::1, plus an MX answer (counted as other).
std::vector<uint8_t> CnameChainResponse() {
  Builder b;
  b.Header(0xbeef, 0x8180, 1, 4);
  b.Name("WWW.Example.COM").U16(kDnsTypeA).U16(1);  // name at offset 12
  // Answer 1: ptr to 12, CNAME -> "web" + "example.net" (uncompressed suffix).
  b.Pointer(12).Rr(kDnsTypeCname, 300, 17);
  const size_t target = b.size();
  b.Label("web").Name("example.net");
  EXPECT_EQ(b.size() - target, 17u);
  // Answer 2: ptr to target, A.
  b.Pointer(static_cast<uint16_t>(target)).Rr(kDnsTypeA, 60, 4).Raw({192, 0, 2, 7});
  // Answer 3: AAAA.
  b.Pointer(static_cast<uint16_t>(target)).Rr(kDnsTypeAaaa, 61, 16);
  b.Raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  // Answer 4: MX (type 15): preference + compressed exchange name.
  b.Pointer(12).Rr(15, 30, 4).U16(10).Pointer(static_cast<uint16_t>(target));
  return b.bytes();
}

TEST(DnsParse, SimpleQuery) {
  const auto q = Query("Example.ORG", 28);
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(q, &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.header.id, 0x1234);
  EXPECT_FALSE(m.header.is_response());
  EXPECT_EQ(m.header.qdcount, 1);
  ASSERT_EQ(m.question_count, 1u);
  EXPECT_EQ(m.Text(m.questions[0].name), "example.org");
  EXPECT_EQ(m.questions[0].qtype, 28);
  EXPECT_EQ(m.questions[0].qclass, 1);
  EXPECT_EQ(m.answer_count, 0u);
  EXPECT_EQ(m.parsed_bytes, q.size());
}

TEST(DnsParse, RootQuery) {
  const auto q = Query("", 2);
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(q, &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.Text(m.questions[0].name), ".");
}

TEST(DnsParse, ResponseWithCnameChainAndCompression) {
  const auto r = CnameChainResponse();
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(r, &m), DnsParseStatus::kOk);
  EXPECT_TRUE(m.header.is_response());
  EXPECT_EQ(m.header.rcode(), 0);
  ASSERT_EQ(m.question_count, 1u);
  EXPECT_EQ(m.Text(m.questions[0].name), "www.example.com");
  ASSERT_EQ(m.answer_count, 3u);
  EXPECT_EQ(m.other_answers, 1);
  EXPECT_EQ(m.answers[0].rtype, kDnsTypeCname);
  EXPECT_EQ(m.Text(m.answers[0].name), "www.example.com");
  EXPECT_EQ(m.Text(m.answers[0].cname), "web.example.net");
  EXPECT_EQ(m.answers[0].ttl, 300u);
  EXPECT_EQ(m.answers[1].rtype, kDnsTypeA);
  EXPECT_EQ(m.Text(m.answers[1].name), "web.example.net");
  EXPECT_EQ(m.answers[1].address.ToString(), "192.0.2.7");
  EXPECT_EQ(m.answers[1].ttl, 60u);
  EXPECT_EQ(m.answers[2].rtype, kDnsTypeAaaa);
  EXPECT_EQ(m.answers[2].address.ToString(), "2001:db8::1");
  EXPECT_EQ(m.answers[2].ttl, 61u);
  EXPECT_EQ(m.parsed_bytes, r.size());
}

TEST(DnsParse, RcodeAndFlags) {
  Builder b;
  b.Header(7, 0x8183, 1, 0).Name("nx.example").U16(1).U16(1);  // NXDOMAIN, TC clear
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.header.rcode(), 3);
  EXPECT_EQ(m.header.opcode(), 0);
  EXPECT_FALSE(m.header.truncated());
  Builder t;
  t.Header(7, 0xaa82, 0, 0);  // response, opcode 5 (update), TC set, SERVFAIL
  ASSERT_EQ(ParseDnsMessage(t.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_TRUE(m.header.truncated());
  EXPECT_EQ(m.header.opcode(), 5);
  EXPECT_EQ(m.header.rcode(), 2);
}

TEST(DnsParse, TruncatedAtEveryOffsetFailsCleanly) {
  const auto r = CnameChainResponse();
  DnsMessage m;
  for (size_t n = 0; n < r.size(); ++n) {
    std::span<const uint8_t> part(r.data(), n);
    const DnsParseStatus st = ParseDnsMessage(part, &m);
    EXPECT_NE(st, DnsParseStatus::kOk) << "prefix " << n;
    if (n < 12) {
      EXPECT_EQ(st, DnsParseStatus::kTruncatedHeader) << n;
    } else {
      EXPECT_NE(st, DnsParseStatus::kTruncatedHeader) << n;
      EXPECT_LE(m.parsed_bytes, n);
    }
  }
  EXPECT_EQ(ParseDnsMessage(r, &m), DnsParseStatus::kOk);
}

TEST(DnsParse, TruncationKeepsEarlierParts) {
  const auto r = CnameChainResponse();
  DnsMessage m;
  // Cut inside the AAAA record: the question, CNAME and A survive.
  std::span<const uint8_t> part(r.data(), r.size() - 20);
  EXPECT_EQ(ParseDnsMessage(part, &m), DnsParseStatus::kTruncatedRecord);
  ASSERT_EQ(m.question_count, 1u);
  ASSERT_EQ(m.answer_count, 2u);
  EXPECT_EQ(m.answers[1].address.ToString(), "192.0.2.7");
}

TEST(DnsParse, PointerToItselfIsRejected) {
  Builder b;
  b.Header(1, 0x0100, 1, 0).Pointer(12).U16(1).U16(1);
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kPointerForward);
}

TEST(DnsParse, PointerLoopBetweenTwoNamesIsRejected) {
  // Question 1 at 12: "a" then pointer to 20 (forward); question 2 at 20: "b" then pointer to 12.
  Builder b;
  b.Header(1, 0x0100, 2, 0);
  b.Label("a").Pointer(20).U16(1).U16(1);  // 12..19
  ASSERT_EQ(b.size(), 20u);
  b.Label("b").Pointer(12).U16(1).U16(1);
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kPointerForward);
  // Starting at the second name: "b" -> 12 "a" -> 20, which is not below segment start 12.
  char text[kMaxDnsNameText];
  size_t len = 0;
  size_t end = 0;
  EXPECT_EQ(ReadDnsName(b.bytes(), 20, text, sizeof(text), &len, &end),
            DnsParseStatus::kPointerForward);
}

TEST(DnsParse, PointerIntoOwnLabelsIsRejected) {
  // "abc" then a pointer back to 12, the start of this same name: a loop.
  Builder b;
  b.Header(1, 0x0100, 1, 0).Label("abc").Pointer(12).U16(1).U16(1);
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kPointerForward);
}

TEST(DnsParse, LongPointerChainIsBounded) {
  // 40 pointers each pointing 2 bytes back, ending at a root byte at 12.
  Builder b;
  b.Header(1, 0x0100, 0, 0).U8(0);
  for (int i = 0; i < 40; ++i) b.Pointer(static_cast<uint16_t>(b.size() - 2 + (i == 0 ? 1 : 0)));
  char text[kMaxDnsNameText];
  size_t len = 0;
  size_t end = 0;
  const size_t last = b.size() - 2;
  EXPECT_EQ(ReadDnsName(b.bytes(), last, text, sizeof(text), &len, &end),
            DnsParseStatus::kTooManyPointers);
  // A short chain (the third pointer: three hops to the root) reads as the root.
  ASSERT_EQ(ReadDnsName(b.bytes(), 13 + 2 * 2, text, sizeof(text), &len, &end),
            DnsParseStatus::kOk);
  EXPECT_EQ(std::string_view(text, len), ".");
  EXPECT_EQ(end, 13u + 2 * 2 + 2);
}

TEST(DnsParse, LabelAndNameLimits) {
  const std::string l63(63, 'a');
  const std::string l64(64, 'a');
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(Query(l63 + ".com", 1), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.Text(m.questions[0].name).size(), 67u);
  EXPECT_EQ(ParseDnsMessage(Query(l64 + ".com", 1), &m), DnsParseStatus::kLabelTooLong);
  // 4 labels of 63 = 256 wire bytes with the root: too long. 3x63 + 61: 255, allowed.
  const std::string ok_name = l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b');
  const std::string long_name = l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b');
  EXPECT_EQ(ParseDnsMessage(Query(ok_name, 1), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.Text(m.questions[0].name), ok_name);
  EXPECT_EQ(ParseDnsMessage(Query(long_name, 1), &m), DnsParseStatus::kNameTooLong);
}

TEST(DnsParse, ReservedLabelTypeIsRejected) {
  Builder b;
  b.Header(1, 0x0100, 1, 0).U8(0x80).U8(0).U16(1).U16(1);
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kBadLabelType);
}

TEST(DnsParse, EscapesNonPrintableAndSpecialBytes) {
  Builder b;
  b.Header(1, 0x0100, 1, 0).Raw({4, 'a', ' ', 0x00, 0xff}).Raw({3, 'x', '.', '\\'}).U8(0);
  b.U16(1).U16(1);
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.Text(m.questions[0].name), "a\\032\\000\\255.x\\.\\\\");
}

TEST(DnsParse, BadRdataSizes) {
  Builder a;
  a.Header(1, 0x8180, 0, 1).Name("x.test").Rr(kDnsTypeA, 1, 5).Raw({1, 2, 3, 4, 5});
  DnsMessage m;
  EXPECT_EQ(ParseDnsMessage(a.bytes(), &m), DnsParseStatus::kBadRdata);
  Builder c;  // CNAME whose name ends before RDATA does
  c.Header(1, 0x8180, 0, 1).Name("x.test").Rr(kDnsTypeCname, 1, 4).Name("y").U8(0);
  EXPECT_EQ(ParseDnsMessage(c.bytes(), &m), DnsParseStatus::kBadRdata);
  Builder d;  // CNAME whose name runs past RDATA
  d.Header(1, 0x8180, 0, 1).Name("x.test").Rr(kDnsTypeCname, 1, 2).Name("yy");
  EXPECT_EQ(ParseDnsMessage(d.bytes(), &m), DnsParseStatus::kBadRdata);
}

TEST(DnsParse, NonQueryOpcodeHasNoAnswers) {
  // Inverse query (opcode 1) carrying an A record with empty RDATA, as in RFC 1035 6.4.
  Builder b;
  b.Header(1, 0x0900, 0, 1).Name("x.test").Rr(kDnsTypeA, 0, 0);
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.header.opcode(), 1);
  EXPECT_EQ(m.answer_count, 0u);
  EXPECT_EQ(m.other_answers, 1);
  // The same record in a standard query response is broken.
  Builder q;
  q.Header(1, 0x8180, 0, 1).Name("x.test").Rr(kDnsTypeA, 0, 0);
  EXPECT_EQ(ParseDnsMessage(q.bytes(), &m), DnsParseStatus::kBadRdata);
}

TEST(DnsParse, AuthorityAndAdditionalAreValidated) {
  Builder b;
  b.Header(1, 0x8180, 0, 0, 1, 1).Name("ns.test").Rr(2, 5, 2).Pointer(12);
  b.U8(0).U16(41).U16(4096).U32(0).U16(0);  // OPT
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.answer_count, 0u);
  EXPECT_EQ(m.other_answers, 0);
  EXPECT_EQ(m.parsed_bytes, b.size());
  Builder bad;  // a looping name in the additional section
  bad.Header(1, 0x8180, 0, 0, 0, 1).Pointer(12).Rr(1, 1, 0);
  EXPECT_EQ(ParseDnsMessage(bad.bytes(), &m), DnsParseStatus::kPointerForward);
}

TEST(DnsParse, CapsCountDroppedEntries) {
  Builder b;
  b.Header(1, 0x8180, 6, 40);
  for (int i = 0; i < 6; ++i) b.Name("q" + std::to_string(i) + ".test").U16(1).U16(1);
  for (int i = 0; i < 40; ++i) b.Pointer(12).Rr(kDnsTypeA, 9, 4).Raw({10, 0, 0, static_cast<uint8_t>(i)});
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.question_count, kMaxDnsQuestions);
  EXPECT_EQ(m.questions_dropped, 2);
  EXPECT_EQ(m.answer_count, kMaxDnsAnswers);
  EXPECT_EQ(m.answers_dropped, 40 - kMaxDnsAnswers);
  EXPECT_EQ(m.Text(m.answers[31].name), "q0.test");
  EXPECT_EQ(m.answers[31].address.ToString(), "10.0.0.31");
}

TEST(DnsParse, ArenaOverflowDropsTextNotRecords) {
  // 32 answers whose names are ~250 characters: more text than the arena holds.
  const std::string l60(60, 'z');
  const std::string big = l60 + "." + l60 + "." + l60 + "." + l60;
  Builder b;
  b.Header(1, 0x8180, 1, 32).Name(big).U16(1).U16(1);
  for (int i = 0; i < 32; ++i) b.Pointer(12).Rr(kDnsTypeA, 9, 4).Raw({10, 0, 0, 1});
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(b.bytes(), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.answer_count, 32u);
  EXPECT_GT(m.text_dropped, 0);
  EXPECT_EQ(m.Text(m.answers[0].name), big);
  EXPECT_EQ(m.Text(m.answers[31].name), "");
}

TEST(DnsParse, ReuseClearsPreviousMessage) {
  DnsMessage m;
  ASSERT_EQ(ParseDnsMessage(CnameChainResponse(), &m), DnsParseStatus::kOk);
  ASSERT_EQ(ParseDnsMessage(Query("b.test", 1), &m), DnsParseStatus::kOk);
  EXPECT_EQ(m.answer_count, 0u);
  EXPECT_EQ(m.other_answers, 0);
  EXPECT_EQ(m.Text(m.questions[0].name), "b.test");
}

TEST(DnsParse, TcpFraming) {
  const auto q = Query("tcp.example", 1);
  std::vector<uint8_t> stream = {static_cast<uint8_t>(q.size() >> 8), static_cast<uint8_t>(q.size())};
  stream.insert(stream.end(), q.begin(), q.end());
  stream.insert(stream.end(), {0, 0});  // start of a next message
  DnsMessage m;
  size_t consumed = 0;
  ASSERT_EQ(ParseDnsTcpMessage(stream, &m, &consumed), DnsParseStatus::kOk);
  EXPECT_EQ(consumed, q.size() + 2);
  EXPECT_EQ(m.Text(m.questions[0].name), "tcp.example");
  // Length prefix claims more than present, and a lone byte.
  std::span<const uint8_t> short_stream(stream.data(), q.size() + 1);
  EXPECT_EQ(ParseDnsTcpMessage(short_stream, &m), DnsParseStatus::kTruncatedTcpLength);
  EXPECT_EQ(ParseDnsTcpMessage(std::span<const uint8_t>(stream.data(), 1), &m),
            DnsParseStatus::kTruncatedTcpLength);
}

TEST(DnsParse, StatusNamesAreDistinct) {
  std::vector<std::string_view> names;
  for (int i = 0; i < kDnsParseStatusCount; ++i) {
    const auto name = DnsParseStatusName(static_cast<DnsParseStatus>(i));
    EXPECT_NE(name, "unknown") << i;
    for (const auto& seen : names) EXPECT_NE(seen, name);
    names.push_back(name);
  }
}

}  // namespace
}  // namespace quench
