// How the FSRCNN network is cut into tiles: each tile is one kernel call whose memory grows
// with its area (the d-channel maps), so tiles are bounded; neighbours overlap by the
// receptive field's reach and join exactly.
#pragma once

#include <cstdint>

#include "ksconv/fsrcnn.hpp"

namespace ksconv::detail {

// Low-resolution columns and rows of one tile for a network with d feature channels.
struct FsrcnnTileSize {
    int64_t columns = 0, rows = 0;
};
FsrcnnTileSize fsrcnn_tile_size(int d, int reach, int scale, int64_t width);

// The network over the low-resolution region [x, x + w) x [y, y + h) of an image
// width x height, tile by tile; `window` holds (at least) the region plus the reach around
// it, clipped to the image. Writes scale*w x scale*h values at `out`, rows out_stride apart.
struct LumaRegion {
    int64_t x = 0, y = 0, width = 0, height = 0;
};
void run_luma_region(const FsrcnnUpscaler &up, const FsrcnnUpscaler::LumaWindow &window, int64_t width, int64_t height,
                     const LumaRegion &region, float *out, int64_t out_stride);

}  // namespace ksconv::detail
