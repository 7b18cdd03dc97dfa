// File identity, for refusing to write an output over an input.
#pragma once

#include <string>

namespace ksconv {

// True when both paths exist and name the same file or folder (same device and inode), so
// "./x", "d/../x", hard links and symlinks are all caught.
bool same_file(const std::string &a, const std::string &b);

}  // namespace ksconv
