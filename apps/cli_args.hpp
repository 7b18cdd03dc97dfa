// Command-line parsing for the ksconv tool: options, flags and positional words, and the
// strict number lists the layer options take. Every mistake throws UsageError, which the
// tool reports with exit status 2 (a runtime failure is 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ksconv::cli {

// A mistake in how the tool was called, as opposed to a failure while running.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string &message) : std::runtime_error(message) {}
};

struct OptionSpec {
    std::string name;  // with the dashes, e.g. "--stride"
    bool takes_value;  // false for a flag such as "--verbose"
};

class Args {
public:
    // Parses the words after the command name: `--name value`, `--name=value`, flags,
    // positional words, and `--` (every later word is positional). Unknown, repeated or
    // valueless options throw UsageError.
    Args(const std::vector<std::string> &words, const std::vector<OptionSpec> &specs);

    bool has(const std::string &name) const { return values_.count(name) != 0; }
    // The option's value, or nullopt when it was not given.
    std::optional<std::string> get(const std::string &name) const;
    // The option's value; throws UsageError when it was not given.
    std::string require(const std::string &name) const;
    const std::vector<std::string> &positional() const { return positional_; }

private:
    std::map<std::string, std::string> values_;  // a flag is stored with an empty value
    std::vector<std::string> positional_;
};

// True when `words` asks for help (`--help` or `-h` before any `--`), so help can be
// printed even when the rest of the line would not parse.
bool wants_help(const std::vector<std::string> &words);

// One integer >= min_value (0 or 1) in plain decimal digits: no sign, spaces or suffix.
int parse_int(const std::string &option, const std::string &text, int min_value);

// Like parse_int, for 64-bit counts such as --max-elements.
int64_t parse_int64(const std::string &option, const std::string &text, int64_t min_value);

// Comma-separated integers >= min_value whose count is one of `counts` (e.g. {1, 2}).
std::vector<int> parse_int_list(const std::string &option, const std::string &text,
                                const std::vector<std::size_t> &counts, int min_value);

struct IntPair {
    int h = 0, w = 0;
};

struct Pads {
    int top = 0, left = 0, bottom = 0, right = 0;
};

// "V" (both dimensions) or "VH,VW".
IntPair parse_pair(const std::string &option, const std::string &text, int min_value);

// "P" (all sides), "PH,PW" (top = bottom = PH, left = right = PW) or "T,L,B,R" (ONNX order).
Pads parse_padding(const std::string &option, const std::string &text);

}  // namespace ksconv::cli
