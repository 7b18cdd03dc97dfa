// ksconv: command-line front end. Picks the command and turns every failure into one
// `ksconv: error: ...` line and an exit status (2 usage, 1 runtime); nothing escapes main.
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "ksconv/signals.hpp"
#include "ksconv/version.hpp"

namespace {

const char kHelp[] =
    R"(ksconv - fast transposed convolution (ConvTranspose2d) by kernel segregation

Usage:
  ksconv convt --input X.npy --weight W.npy [--bias B.npy] --output Y.npy [options]
  ksconv bench --shapes FILE.csv [options]
  ksconv upscale IN.png OUT.png --scale 2|3|4 [--method M] [options]
  ksconv COMMAND --help
  ksconv --help | --version

Commands:
  convt     run one transposed-convolution layer on float32 .npy tensors, with PyTorch
            ConvTranspose2d / ONNX ConvTranspose semantics
            (input N x Cin x H x W, weight Cin x Cout/groups x KH x KW, bias Cout)
  bench     check and time ksconv's methods (and oneDNN) on a CSV list of layer shapes
  upscale   upscale a PNG (or a folder of PNGs) by 2, 3 or 4 with nearest, bilinear,
            bicubic or Lanczos kernels, as OpenCV's cv::resize does

Example:
  ksconv convt --input x.npy --weight w.npy --bias b.npy --output y.npy \
      --stride 2 --padding 1
  ksconv bench --shapes bench/shapes.csv --threads 2
  ksconv upscale photo.png photo_x2.png --scale 2 --method bicubic

Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error; errors are one line
on stderr starting with 'ksconv: error:'. 'ksconv convt --help' explains the layer.
)";

// One line, whatever the message holds, so scripts can rely on the format.
void print_error(const std::string &message) {
    std::string line = message.empty() ? "unknown failure" : message;
    for (char &c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    std::cerr << "ksconv: error: " << line << std::endl;
}

int dispatch(const std::vector<std::string> &words) {
    using ksconv::cli::UsageError;
    if (words.empty()) throw UsageError("no command given (try 'ksconv --help')");
    const std::string &command = words[0];
    const std::vector<std::string> rest(words.begin() + 1, words.end());

    if (command == "--help" || command == "-h") {
        std::cout << kHelp;
        return 0;
    }
    if (command == "--version") {
        if (!rest.empty()) throw UsageError("--version takes no arguments");
        std::cout << "ksconv " << ksconv::version() << '\n';
        return 0;
    }
    if (command == "convt") {
        try {
            return ksconv::cli::run_convt(rest);
        } catch (const UsageError &e) {
            throw UsageError(std::string(e.what()) + " (see 'ksconv convt --help')");
        }
    }
    if (command == "bench") {
        try {
            return ksconv::cli::run_bench(rest);
        } catch (const UsageError &e) {
            throw UsageError(std::string(e.what()) + " (see 'ksconv bench --help')");
        }
    }
    if (command == "upscale") {
        try {
            return ksconv::cli::run_upscale(rest);
        } catch (const UsageError &e) {
            throw UsageError(std::string(e.what()) + " (see 'ksconv upscale --help')");
        }
    }
    if (command.size() > 1 && command[0] == '-') {
        throw UsageError("unknown option '" + command + "' (try 'ksconv --help')");
    }
    throw UsageError("unknown command '" + command + "' (try 'ksconv --help')");
}

}  // namespace

int main(int argc, char **argv) {
    ksconv::remove_temp_files_on_signal();  // an interrupted run leaves no partial output
    try {
        const int status = dispatch(std::vector<std::string>(argv + 1, argv + argc));
        // Help or version text that never arrived (e.g. a full disk) is a failure too.
        if (!std::cout.flush()) throw std::runtime_error("cannot write to standard output");
        return status;
    } catch (const ksconv::cli::UsageError &e) {
        print_error(e.what());
        return 2;
    } catch (const std::bad_alloc &) {
        print_error("out of memory");
    } catch (const std::length_error &) {
        print_error("out of memory (a size is too large)");  // std::vector's way of saying so
    } catch (const std::exception &e) {
        print_error(e.what());
    } catch (...) {
        print_error("unexpected failure");
    }
    return 1;
}
