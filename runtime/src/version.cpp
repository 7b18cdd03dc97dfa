#include "ksconv/version.hpp"

namespace ksconv {

const char *version() { return KSCONV_VERSION; }

}  // namespace ksconv
