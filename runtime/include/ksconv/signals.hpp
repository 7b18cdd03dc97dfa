// Interrupted runs leave no partial outputs: every file the library writes is a temporary
// file until it is complete, and these handlers remove the live ones on SIGINT/SIGTERM.
#pragma once

namespace ksconv {

// Installs SIGINT and SIGTERM handlers that unlink every temporary output file still being
// written, then die of the same signal (default action), so the exit status tells the
// signal. Files already renamed into place are kept. Call once, early in main(); signals
// the process inherited as ignored stay ignored.
void remove_temp_files_on_signal();

}  // namespace ksconv
