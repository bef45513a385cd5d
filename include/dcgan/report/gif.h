// Animated GIF of 8-bit frames (giflib): the fixed-noise grids over a run, latent walks. No torch here.
#pragma once

#include "dcgan/report/grid.h"

#include <string>
#include <vector>

namespace dcgan {

/// How an animation plays.
struct GifOptions {
  /// Hundredths of a second each frame shows (GIF's unit). 25: four grids a second, slow enough to follow a run.
  int delay_cs = 25;
  /// The last frame's delay, in hundredths, so that a loop rests on the result before starting again.
  int last_delay_cs = 200;
  /// Repeat forever (the NETSCAPE2.0 loop extension); false: play once.
  bool loop = true;
};

/// Encodes `frames` (all the same size, 1 or 3 channels) as a GIF89a animation, every frame full-size, in memory.
///
/// Colour: one palette for the whole animation, so a pixel that does not change does not flicker. Gray frames get
/// the 256 grays exactly; RGB frames are reduced to 256 colours by giflib's median cut (GifQuantizeBuffer: Heckbert's
/// algorithm over the pixels of every frame at once). Throws std::invalid_argument for no frames, frames of different
/// sizes or channel counts, or a frame over GIF's 65535 pixels a side; std::runtime_error when giflib fails.
std::string encode_gif(const std::vector<GridImage>& frames, const GifOptions& options = {});

}  // namespace dcgan
