// The readers under fuzzing take paths, so each input is written to a scratch file first
// (in $TMPDIR, removed at exit).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ksconv::fuzz {

class ScratchFile {
public:
    explicit ScratchFile(const char *suffix) {
        const char *dir = std::getenv("TMPDIR");
        std::string name = std::string(dir && *dir ? dir : "/tmp") + "/ksconv-fuzz-XXXXXX." + suffix;
        fd_ = ::mkstemps(name.data(), int(std::string(suffix).size()) + 1);
        if (fd_ < 0) {
            std::perror("ksconv fuzz: mkstemps");
            std::abort();
        }
        path_ = name;
    }
    ~ScratchFile() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    const std::string &path() const { return path_; }

    void write(const uint8_t *data, size_t size) {
        if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, data, size, 0) != ssize_t(size)) {
            std::perror("ksconv fuzz: writing the scratch file");
            std::abort();
        }
    }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace ksconv::fuzz
