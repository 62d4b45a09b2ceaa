// Test helpers for pcapgen: write a spec to a temporary capture, read classic pcap records
// back through ByteReader, run an external tool and capture its stdout. Test-only; not
// thread-safe (uses fixed temporary paths per test name).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "capture_writer.h"
#include "generator.h"
#include "quench/core/byte_reader.h"
#include "spec.h"

namespace pcapgen::testing {

struct Record {
  int64_t ts_ns;
  std::vector<uint8_t> data;
};

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Classic little-endian pcap (usec or nsec); returns false on a malformed file.
inline bool ReadPcap(const std::vector<uint8_t>& file, uint32_t& linktype, std::vector<Record>& out) {
  quench::ByteReader r(file.data(), file.size());
  const uint32_t magic = r.U32Le();
  if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) return false;
  const int64_t frac_scale = magic == 0xa1b2c3d4 ? 1000 : 1;
  r.Skip(12);
  r.U32Le();  // snaplen
  linktype = r.U32Le();
  while (r.ok() && r.remaining() > 0) {
    const uint32_t secs = r.U32Le(), frac = r.U32Le(), caplen = r.U32Le();
    r.U32Le();
    Record rec{int64_t{secs} * 1'000'000'000 + int64_t{frac} * frac_scale, std::vector<uint8_t>(caplen)};
    if (!r.Copy(rec.data.data(), caplen)) return false;
    out.push_back(std::move(rec));
  }
  return r.ok();
}

// Parses `json`, generates into `path`; returns the error text or "" on success.
inline std::string Generate(const std::string& json, const std::string& path) {
  auto spec = ParseSpec(json, "test.json");
  if (!spec) return spec.error().message();
  auto w = CaptureWriter::Open(path, spec->format, LinkTypeValue(spec->link));
  if (!w) return w.error().message();
  auto stats = GenerateFromSpec(*spec, **w);
  if (!stats) return stats.error().message();
  auto st = (*w)->Close();
  return st ? "" : st.error().message();
}

inline std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("pcapgen_test_" + name)).string();
}

// Runs a shell command; returns its stdout (stderr discarded) and sets `status`.
inline std::string RunCommand(const std::string& command, int& status) {
  std::string out;
  std::FILE* p = popen((command + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) {
    status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  status = pclose(p);
  return out;
}

inline bool HaveTool(const std::string& tool) {
  int status = 0;
  RunCommand("command -v " + tool, status);
  return status == 0;
}

}  // namespace pcapgen::testing
