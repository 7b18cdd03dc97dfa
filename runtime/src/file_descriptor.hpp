// A file descriptor owned by scope, so every early throw closes it.
#pragma once

#include <unistd.h>

namespace ksconv::detail {

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace ksconv::detail
