// ksconv::Error: the one exception type the library throws. Its message is one line
// naming the parameter or file and the rule that was broken.
#pragma once

#include <stdexcept>
#include <string>

namespace ksconv {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// An input refused because it is larger than a size limit (elements, pixels) the caller
// may raise, so a tool can name the option that raises it.
class LimitError : public Error {
public:
    explicit LimitError(const std::string &message) : Error(message) {}
};

}  // namespace ksconv
