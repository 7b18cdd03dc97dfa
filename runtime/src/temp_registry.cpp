#include "temp_registry.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <initializer_list>

#include "ksconv/signals.hpp"

namespace ksconv::detail {
namespace {

constexpr int kSlots = 64;         // live temporary files at once (the CLI has one or two)
constexpr size_t kMaxPath = 4096;  // PATH_MAX on Linux

enum SlotState : int { kFree, kFilling, kLive };

struct Slot {
    std::atomic<int> state{kFree};
    char path[kMaxPath];
};

// Lock-free atomics only, so the handler may read them while another thread writes.
static_assert(std::atomic<int>::is_always_lock_free);
Slot g_slots[kSlots];

}  // namespace

int register_temp_file(const char *path) noexcept {
    const size_t length = std::strlen(path);
    if (length >= kMaxPath) return -1;
    for (int i = 0; i < kSlots; ++i) {
        int expected = kFree;
        if (g_slots[i].state.compare_exchange_strong(expected, kFilling)) {
            std::memcpy(g_slots[i].path, path, length + 1);
            g_slots[i].state.store(kLive);  // the handler sees the whole path or nothing
            return i;
        }
    }
    return -1;
}

void unregister_temp_file(int slot) noexcept {
    if (slot >= 0 && slot < kSlots) g_slots[slot].state.store(kFree);
}

void unlink_registered_temp_files() noexcept {
    for (Slot &slot : g_slots) {
        if (slot.state.load() == kLive) ::unlink(slot.path);
    }
}

namespace {

void on_signal(int signal) {
    const int saved_errno = errno;
    unlink_registered_temp_files();
    errno = saved_errno;
    // SA_RESETHAND restored the default action; it takes effect once this handler returns.
    std::raise(signal);
}

}  // namespace
}  // namespace ksconv::detail

namespace ksconv {

void remove_temp_files_on_signal() {
    for (int signal : {SIGINT, SIGTERM}) {
        struct sigaction old_action {};
        if (::sigaction(signal, nullptr, &old_action) == 0 && old_action.sa_handler == SIG_IGN) continue;
        struct sigaction action {};
        action.sa_handler = detail::on_signal;
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, SIGINT);  // one cleanup at a time
        sigaddset(&action.sa_mask, SIGTERM);
        action.sa_flags = SA_RESETHAND;
        ::sigaction(signal, &action, nullptr);
    }
}

}  // namespace ksconv
