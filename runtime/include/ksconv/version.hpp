#pragma once

namespace ksconv {

// The library version, "MAJOR.MINOR.PATCH".
const char *version();

}  // namespace ksconv
