#include "cli_args.hpp"

#include <climits>
#include <cstdint>

namespace ksconv::cli {

namespace {

const OptionSpec *find_spec(const std::vector<OptionSpec> &specs, const std::string &name) {
    for (const OptionSpec &spec : specs) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

// Looks like an option rather than a value: "-x" or "--x" (a lone "-" is a value).
bool is_option_word(const std::string &word) {
    return word.size() > 1 && word[0] == '-';
}

enum class IntStatus { Ok, Malformed, TooLarge };

// Plain decimal digits only, so "2x", "+2", " 2", "" and "-1" are all malformed.
IntStatus to_int(const std::string &text, int &value) {
    if (text.empty()) return IntStatus::Malformed;
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return IntStatus::Malformed;
        v = v * 10 + (c - '0');
        if (v > INT_MAX) return IntStatus::TooLarge;
    }
    value = static_cast<int>(v);
    return IntStatus::Ok;
}

// "1", "1 or 2", "1, 2 or 4".
std::string counts_text(const std::vector<std::size_t> &counts) {
    std::string text;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i > 0) text += (i + 1 == counts.size()) ? " or " : ", ";
        text += std::to_string(counts[i]);
    }
    return text;
}

[[noreturn]] void bad_list(const std::string &option, const std::string &text, const std::vector<std::size_t> &counts,
                           int min_value, bool too_large) {
    const std::string kind = min_value > 0 ? "positive" : "non-negative";
    std::string expected;
    if (counts.size() == 1 && counts[0] == 1) {
        expected = "a " + kind + " integer";
    } else {
        expected =
            counts_text(counts) + " " + kind + " integers separated by " + (counts.back() > 2 ? "commas" : "a comma");
    }
    throw UsageError(option + ": expected " + expected + ", got '" + text + "'" + (too_large ? " (too large)" : ""));
}

}  // namespace

Args::Args(const std::vector<std::string> &words, const std::vector<OptionSpec> &specs) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string &word = words[i];
        if (word == "--") {
            positional_.insert(positional_.end(), words.begin() + i + 1, words.end());
            break;
        }
        if (!is_option_word(word)) {
            positional_.push_back(word);
            continue;
        }
        const std::size_t eq = word.find('=');
        const std::string name = word.substr(0, eq);
        const OptionSpec *spec = find_spec(specs, name);
        if (spec == nullptr) throw UsageError("unknown option '" + name + "'");
        if (has(name)) throw UsageError("option " + name + " given more than once");

        std::string value;
        if (!spec->takes_value) {
            if (eq != std::string::npos) throw UsageError("option " + name + " takes no value");
        } else if (eq != std::string::npos) {
            value = word.substr(eq + 1);
        } else if (i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0) {
            value = words[++i];  // may start with one '-', so "--padding -1" names the number
        } else {
            // A following "--x" is far more likely a forgotten value than a value itself;
            // a value that really starts with "--" can be given as --name=VALUE.
            throw UsageError("option " + name + " needs a value");
        }
        if (spec->takes_value && value.empty()) {
            throw UsageError("option " + name + " needs a non-empty value");
        }
        values_[name] = value;
    }
}

std::optional<std::string> Args::get(const std::string &name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::require(const std::string &name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw UsageError("missing required option " + name);
    return it->second;
}

bool wants_help(const std::vector<std::string> &words) {
    for (const std::string &word : words) {
        if (word == "--") return false;
        if (word == "--help" || word == "-h") return true;
    }
    return false;
}

int parse_int(const std::string &option, const std::string &text, int min_value) {
    return parse_int_list(option, text, {1}, min_value)[0];
}

int64_t parse_int64(const std::string &option, const std::string &text, int64_t min_value) {
    const std::string kind = min_value > 0 ? "positive" : "non-negative";
    bool ok = !text.empty();
    uint64_t value = 0;
    for (char c : text) {
        ok = ok && c >= '0' && c <= '9';
        if (!ok) break;
        const uint64_t digit = uint64_t(c - '0');
        if (value > (uint64_t(INT64_MAX) - digit) / 10) {
            throw UsageError(option + ": expected a " + kind + " integer, got '" + text + "' (too large)");
        }
        value = value * 10 + digit;
    }
    if (!ok || int64_t(value) < min_value) {
        throw UsageError(option + ": expected a " + kind + " integer, got '" + text + "'");
    }
    return int64_t(value);
}

std::vector<int> parse_int_list(const std::string &option, const std::string &text,
                                const std::vector<std::size_t> &counts, int min_value) {
    std::vector<int> values;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string part = text.substr(start, comma - start);
        int value = 0;
        const IntStatus status = to_int(part, value);
        if (status != IntStatus::Ok || value < min_value) {
            bad_list(option, text, counts, min_value, status == IntStatus::TooLarge);
        }
        values.push_back(value);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    bool count_ok = false;
    for (std::size_t count : counts) count_ok = count_ok || values.size() == count;
    if (!count_ok) bad_list(option, text, counts, min_value, false);
    return values;
}

IntPair parse_pair(const std::string &option, const std::string &text, int min_value) {
    const std::vector<int> v = parse_int_list(option, text, {1, 2}, min_value);
    return v.size() == 1 ? IntPair{v[0], v[0]} : IntPair{v[0], v[1]};
}

Pads parse_padding(const std::string &option, const std::string &text) {
    const std::vector<int> v = parse_int_list(option, text, {1, 2, 4}, 0);
    if (v.size() == 1) return Pads{v[0], v[0], v[0], v[0]};
    if (v.size() == 2) return Pads{v[0], v[1], v[0], v[1]};
    return Pads{v[0], v[1], v[2], v[3]};
}

}  // namespace ksconv::cli
