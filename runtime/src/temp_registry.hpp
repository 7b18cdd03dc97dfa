// A process-wide registry of live temporary files that a signal handler can read: fixed
// slots of plain char arrays and atomics, no allocation and no locks.
#pragma once

namespace ksconv::detail {

// Records `path` before the file is created; returns the slot, or -1 when the registry is
// full or the path too long (the file is then simply not removed on a signal).
int register_temp_file(const char *path) noexcept;

// Forgets a slot once its file is renamed into place or removed. -1 is ignored.
void unregister_temp_file(int slot) noexcept;

// Unlinks every registered file. Async-signal-safe.
void unlink_registered_temp_files() noexcept;

}  // namespace ksconv::detail
