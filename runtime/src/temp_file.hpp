// Atomic output files: data goes to a temporary file next to the target, which is renamed
// over the target only once complete. Shared by the .npy and PNG writers.
#pragma once

#include <cstddef>
#include <string>

namespace ksconv::detail {

// A temporary file next to `path`, removed unless commit() renamed it into place, so a
// failed or interrupted write never leaves a partial output file.
class TempFile {
public:
    // Throws Error naming `path` if the file cannot be created (e.g. missing directory).
    explicit TempFile(const std::string &path);
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;
    ~TempFile();

    int fd() const { return fd_; }

    // Writes all of `data`; throws Error naming the target path on failure.
    void write(const void *data, size_t size);

    // Closes the file and renames it over the target path.
    void commit();

private:
    std::string path_;
    std::string name_;
    int fd_ = -1;
    int slot_ = -1;  // in the signal handler's registry while the file may exist
};

// Writes all of `data` to `fd`, retrying short writes; returns 0 or the errno of the failure.
// Does not throw, so it may run inside C callbacks.
int write_all(int fd, const void *data, size_t size) noexcept;

}  // namespace ksconv::detail
