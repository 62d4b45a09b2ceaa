// pcapgen: writes protocol-valid synthetic captures from a JSON spec, or, with --bulk, a
// large benchmark capture. See tools/pcapgen/README.md.
#include <chrono>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bulk.h"
#include "capture_writer.h"
#include "generator.h"
#include "spec.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "pcapgen: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pcapgen: synthetic, protocol-valid packet captures from a JSON spec"};
  std::string spec_path, out_path;
  bool bulk = false, quiet = false;
  pcapgen::BulkOptions bo;
  std::string format_name = "pcap", link_name = "ethernet";
  app.add_option("spec", spec_path, "spec file (JSON; see README.md)");
  app.add_option("-o,--output", out_path, "output capture ('-' for stdout)")->required();
  app.add_flag("--bulk", bulk, "benchmark mode: --flows N --packets P");
  app.add_option("--flows", bo.flows, "bulk: distinct flows")->check(CLI::PositiveNumber);
  app.add_option("--packets", bo.packets, "bulk: packets in all")->check(CLI::PositiveNumber);
  app.add_option("--v6-share", bo.v6_share, "bulk: fraction of IPv6 flows")->check(CLI::Range(0.0, 1.0));
  app.add_option("--udp-share", bo.udp_share, "bulk: fraction of UDP (DNS) flows")->check(CLI::Range(0.0, 1.0));
  app.add_option("--max-payload", bo.max_payload, "bulk: largest TCP segment payload")->check(CLI::Range(100, 8960));
  app.add_option("--open-flows", bo.open_flows, "bulk: flows open at once")->check(CLI::PositiveNumber);
  app.add_option("--seed", bo.seed, "bulk: random seed");
  app.add_option("--format", format_name, "bulk: pcap | pcap_ns | pcapng");
  app.add_option("--link", link_name, "bulk: ethernet | raw | linux_sll | linux_sll2 | null");
  app.add_flag("-q,--quiet", quiet, "no summary on stderr");
  CLI11_PARSE(app, argc, argv);

  const auto t_begin = std::chrono::steady_clock::now();
  uint64_t packets = 0;
  std::string summary;
  if (bulk) {
    if (!spec_path.empty()) return Fail("--bulk takes no spec file");
    pcapgen::FileFormat format;
    if (format_name == "pcap") format = pcapgen::FileFormat::kPcap;
    else if (format_name == "pcap_ns") format = pcapgen::FileFormat::kPcapNs;
    else if (format_name == "pcapng") format = pcapgen::FileFormat::kPcapng;
    else return Fail("--format: expected pcap, pcap_ns or pcapng");
    if (link_name == "ethernet") bo.link = pcapgen::Link::kEthernet;
    else if (link_name == "raw") bo.link = pcapgen::Link::kRaw;
    else if (link_name == "linux_sll") bo.link = pcapgen::Link::kLinuxSll;
    else if (link_name == "linux_sll2") bo.link = pcapgen::Link::kLinuxSll2;
    else if (link_name == "null") bo.link = pcapgen::Link::kNull;
    else return Fail("--link: expected ethernet, raw, linux_sll, linux_sll2 or null");
    auto writer = pcapgen::CaptureWriter::Open(out_path, format, pcapgen::LinkTypeValue(bo.link), 16u << 20);
    if (!writer) return Fail(writer.error().message());
    auto stats = pcapgen::GenerateBulk(bo, **writer);
    if (!stats) return Fail(stats.error().message());
    if (auto st = (*writer)->Close(); !st) return Fail(out_path + ": " + st.error().message());
    packets = stats->packets;
    summary = fmt::format("{} flows ({} tcp, {} udp, {} ipv6), {} bytes", stats->flows_started, stats->tcp_flows,
                          stats->udp_flows, stats->v6_flows, (*writer)->bytes_written());
  } else {
    if (spec_path.empty()) return Fail("give a spec file, or --bulk");
    auto spec = pcapgen::LoadSpec(spec_path);
    if (!spec) return Fail(spec.error().message());
    auto writer = pcapgen::CaptureWriter::Open(out_path, spec->format, pcapgen::LinkTypeValue(spec->link));
    if (!writer) return Fail(writer.error().message());
    auto stats = pcapgen::GenerateFromSpec(*spec, **writer);
    if (!stats) return Fail(stats.error().message());
    if (auto st = (*writer)->Close(); !st) return Fail(out_path + ": " + st.error().message());
    packets = stats->packets;
    summary = fmt::format("{} tcp connections, {} udp flows, {} icmp flows, {} bytes", stats->tcp_connections,
                          stats->udp_flows, stats->icmp_flows, (*writer)->bytes_written());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_begin).count();
  if (!quiet) {
    std::fprintf(stderr, "pcapgen: wrote %llu packets to %s in %.3f s (%.0f packets/s): %s\n",
                 static_cast<unsigned long long>(packets), out_path.c_str(), secs,
                 secs > 0 ? static_cast<double>(packets) / secs : 0.0, summary.c_str());
  }
  return 0;
}
