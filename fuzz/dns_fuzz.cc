// Fuzz harness for the DNS message parser: the input is one DNS message. Byte 0 picks the
// framing (odd: DNS over TCP with its 2-byte length prefix, even: a UDP payload), the rest is
// the message. Besides memory safety it checks that every stored name and answer lies inside
// the message's text arena caps and that parsed_bytes never exceeds the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "quench/app/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quench;
  if (size == 0) return 0;
  static DnsMessage msg;  // reused scratch, as a worker would
  std::span<const uint8_t> input(data + 1, size - 1);
  DnsParseStatus st;
  if (data[0] & 1) {
    size_t consumed = 0;
    st = ParseDnsTcpMessage(input, &msg, &consumed);
    if (st == DnsParseStatus::kOk && (consumed > input.size() || consumed < 2)) std::abort();
  } else {
    st = ParseDnsMessage(input, &msg);
    if (msg.parsed_bytes > input.size()) std::abort();
  }
  if (DnsParseStatusName(st) == "unknown") std::abort();
  if (msg.question_count > kMaxDnsQuestions || msg.answer_count > kMaxDnsAnswers) std::abort();
  size_t total = 0;
  for (const DnsQuestion& q : msg.Questions()) {
    const auto text = msg.Text(q.name);
    if (text.size() >= kMaxDnsNameText) std::abort();
    for (char c : text) total += static_cast<unsigned char>(c);
  }
  for (const DnsAnswer& a : msg.Answers()) {
    if (a.rtype != kDnsTypeA && a.rtype != kDnsTypeAaaa && a.rtype != kDnsTypeCname) std::abort();
    for (char c : msg.Text(a.name)) total += static_cast<unsigned char>(c);
    for (char c : msg.Text(a.cname)) total += static_cast<unsigned char>(c);
  }
  return static_cast<int>(total & 0);
}
