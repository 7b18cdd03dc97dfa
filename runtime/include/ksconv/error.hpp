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

}  // namespace ksconv
