// SplitMix64 (Steele, Lea and Flood 2014): the mixer behind dcgan's seeded orders and seed derivations. No torch.
#pragma once

#include <cstdint>

namespace dcgan {

// SplitMix64's step as a stateless function: mixes x + 0x9e3779b97f4a7c15. Successive draws of a stream with state
// s are splitmix64(s), splitmix64(s + 0x9e3779b97f4a7c15), ...
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The next draw of the stream in `state`, advancing it.
inline std::uint64_t splitmix64_next(std::uint64_t& state) {
  const std::uint64_t draw = splitmix64(state);
  state += 0x9e3779b97f4a7c15ULL;
  return draw;
}

}  // namespace dcgan
