// Stand-ins for onednn_peer.cpp in a build without oneDNN.
#include "ksconv/error.hpp"
#include "onednn_peer.hpp"

namespace ksconv::cli {

bool onednn_built() {
    return false;
}

std::string onednn_version() {
    return "oneDNN not built";
}

void onednn_set_threads(int) {}

std::vector<std::unique_ptr<BenchRunner>> make_onednn_runners(const BenchShape &, const float *, const float *, float *,
                                                              std::vector<std::string> &) {
    throw Error("method 'onednn' is not built (oneDNN was not found at build time)");
}

}  // namespace ksconv::cli
