#include "temp_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "ksconv/error.hpp"
#include "ksconv/files.hpp"
#include "temp_registry.hpp"

namespace ksconv::detail {

TempFile::TempFile(const std::string &path) : path_(path) {
    // Our own O_EXCL loop instead of mkstemp(): mkstemp creates mode 0600, while the
    // output should get the usual 0666 & ~umask like any other new file.
    static std::atomic<unsigned> counter{0};
    int err = EEXIST;
    for (int attempt = 0; attempt < 100 && err == EEXIST; ++attempt) {
        std::string name = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        // Registered before it exists, so a signal at any moment finds it.
        const int slot = register_temp_file(name.c_str());
        int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            fd_ = fd;
            name_ = name;
            slot_ = slot;
            return;
        }
        err = errno;
        unregister_temp_file(slot);
    }
    throw Error(path + ": cannot create temporary file: " + std::strerror(err));
}

TempFile::~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) ::unlink(name_.c_str());
    unregister_temp_file(slot_);
}

void TempFile::write(const void *data, size_t size) {
    if (int err = write_all(fd_, data, size)) throw Error(path_ + ": write failed: " + std::strerror(err));
}

void TempFile::commit() {
    // close() can be the first to report a failed write (NFS, quotas).
    if (::close(std::exchange(fd_, -1)) != 0) {
        int err = errno;
        throw Error(path_ + ": write failed: " + std::strerror(err));
    }
    if (::rename(name_.c_str(), path_.c_str()) != 0) {
        int err = errno;
        throw Error(path_ + ": cannot rename temporary file into place: " + std::strerror(err));
    }
    name_.clear();
    unregister_temp_file(std::exchange(slot_, -1));
}

int write_all(int fd, const void *data, size_t size) noexcept {
    const char *bytes = static_cast<const char *>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;  // no progress on a regular file: do not spin
        bytes += n;
        size -= size_t(n);
    }
    return 0;
}

}  // namespace ksconv::detail

namespace ksconv {

bool same_file(const std::string &a, const std::string &b) {
    struct stat sa {};
    struct stat sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

}  // namespace ksconv
