// MirrorCheck: do left-right flipped images look like the set? data.mirror=auto's measurement.
#pragma once

#include "dcgan/data/dataset.h"

#include <cstdint>

namespace dcgan {

/// The figures behind data.mirror=auto.
struct MirrorCheck {
  int64_t images = 0;    // images measured (two halves of images / 2)
  int side = 0;          // the side they were measured at
  double halves = 0;     // SWD x 1e3 between the two halves as they are
  double flipped = 0;    // SWD x 1e3 between the first half and the second half flipped left-right
  double ratio = 0;      // flipped / halves: about 1 where a flip gives images like the set's
  bool mirror = false;   // ratio <= the threshold it was decided with
  double seconds = 0;
};

/// Up to kMirrorCheckImages images of `data`, a seeded choice (`seed`), shrunk to at most kMirrorCheckSide pixels
/// a side by area averaging, split into two halves; the sliced Wasserstein distance (eval/swd.h, fixed seed, with
/// kMirrorCheckDescriptors and kMirrorCheckDirRepeats) between the halves and between the first and the second
/// flipped. The same data and seed give the same figures.
/// A flip that gives images of the set's kind leaves the distance as it was (ratio near 1); a set with a handedness
/// (digits, text, objects photographed facing one way) is moved far from itself (ratios of 3 and more).
/// Needs at least 2 x 16 images; with fewer, mirror is false and ratio 0 (nothing measured). Throws DataError from
/// the reads of `data`.
MirrorCheck check_mirror(const Dataset& data, double max_ratio, std::uint64_t seed = 0);

/// `figures` (images, side, halves, flipped: measured before, e.g. kept in a prepared cache) with ratio and mirror
/// decided against `max_ratio` as check_mirror decides them.
MirrorCheck decide_mirror(MirrorCheck figures, double max_ratio);

inline constexpr int64_t kMirrorCheckImages = 1000;  // the measurement: halves of up to 500
inline constexpr int kMirrorCheckSide = 32;          // small enough for a few seconds on 2 cores
inline constexpr int64_t kMirrorCheckMinImages = 32;
inline constexpr int kMirrorCheckDescriptors = 32;  // per image and level (ProGAN's SWD: 128)
inline constexpr int kMirrorCheckDirRepeats = 2;     // rounds of 128 directions (ProGAN's SWD: 4)

}  // namespace dcgan
