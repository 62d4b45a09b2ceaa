// Rng: a small deterministic generator (SplitMix64) so that one seed gives byte-identical
// captures on every platform and library version (std:: distributions are not portable).
// Plain value type; thread-compatible.
#pragma once

#include <cstdint>

namespace pcapgen {

__extension__ typedef unsigned __int128 Uint128;

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (inclusive). REQUIRES: lo <= hi.
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    const uint64_t span = hi - lo + 1;
    if (span == 0) return Next();  // the full 64-bit range
    return lo + static_cast<uint64_t>((static_cast<Uint128>(Next()) * span) >> 64);
  }
  // Uniform in [0, 1).
  double UnitDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // A child generator whose stream does not overlap this one in practice.
  Rng Fork(uint64_t salt) { return Rng(Next() ^ (salt * 0xd6e8feb86659fd93ULL)); }

 private:
  uint64_t state_;
};

}  // namespace pcapgen
