// Where the FSRCNN models shipped with ksconv are: an installed tree first
// (<prefix>/bin/ksconv next to <prefix>/share/ksconv/models), then the source tree the
// library was built from (KSCONV_MODELS_DIR, set by runtime/CMakeLists.txt).
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "ksconv/error.hpp"
#include "ksconv/model.hpp"

namespace ksconv {
namespace {

std::string executable_dir() {
    std::vector<char> buffer(4096);
    ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (n <= 0) return "";
    std::string path(buffer.data(), size_t(n));
    return path.substr(0, path.rfind('/'));
}

bool is_file(const std::string &path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

}  // namespace

std::string bundled_model_path(int scale) {
    if (scale < 2 || scale > 4) {
        throw Error("no bundled FSRCNN model for scale " + std::to_string(scale) + " (there are 2, 3 and 4)");
    }
    const std::string name = "fsrcnn_x" + std::to_string(scale) + ".ksm";
    std::vector<std::string> places;
    const std::string exe = executable_dir();
    if (!exe.empty()) places.push_back(exe + "/../share/ksconv/models");
    places.push_back(KSCONV_MODELS_DIR);
    std::string looked;
    for (const std::string &dir : places) {
        if (is_file(dir + "/" + name)) return dir + "/" + name;
        looked += (looked.empty() ? "" : " or ") + dir;
    }
    throw Error("bundled model " + name + " not found (looked in " + looked + ")");
}

std::string fsrcnn_model_path(const std::string &path, int scale) {
    return path.empty() ? bundled_model_path(scale) : path;
}

}  // namespace ksconv
