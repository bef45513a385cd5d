// The animations a user shares: progress.gif of a run's fixed-noise grids, and latent walks. No torch here.
#pragma once

#include "dcgan/report/gif.h"
#include "dcgan/report/grid.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dcgan {

/// progress.gif: the fixed-noise grids of <run_dir>/samples/step-*.png, at most `max_frames` evenly spaced (the first
/// and the last among them), each with "step N" in a band below it: the tutorial's animation of G's progress, as a
/// file that plays wherever GIFs do (chat, issue trackers, slides). Written atomically. Returns false when there is
/// no grid yet. Throws FileError naming a grid that cannot be read or the file that cannot be written;
/// std::runtime_error in a build without OpenCV or giflib.
bool write_progress_gif(const std::string& run_dir, const std::string& path, int max_frames = 60);

/// Frames of `walks` latent walks of `steps` images each (`images`: walk after walk, [walks * steps, c, h, w] floats in
/// [-1, 1], NCHW and contiguous): frame k tiles the k-th image of every walk into one grid (`nrow` per row), then the
/// walks go back (frames steps-2 .. 1), so that the loop has no jump.
std::vector<GridImage> walk_frames(const float* images, int64_t walks, int64_t steps, int64_t c, int64_t h, int64_t w,
                                   int nrow);

}  // namespace dcgan
