#!/usr/bin/python3
"""SIGINT/SIGTERM during `ksconv convt`: no temporary or partial output file is left, files
completed earlier are kept, and the exit status says the process died of the signal.

Usage: /usr/bin/python3 tests/e2e/test_signals.py path/to/ksconv

The signal is sent the moment the output's temporary file appears (the tool computes first,
then writes), so it mostly lands during the write; a run that renames its output before the
signal arrives must have written it whole, and is retried with a larger tensor.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

TIMEOUT_S = 120


def temp_files(directory):
    return sorted(name for name in os.listdir(directory) if ".tmp." in name)


def write_inputs(directory, rows):
    x = np.ones((1, 1, rows, 4096), dtype="<f4")
    np.save(os.path.join(directory, "x.npy"), x)
    np.save(os.path.join(directory, "w.npy"), np.full((1, 1, 1, 1), 2.0, dtype="<f4"))


def convt(ksconv, directory, output):
    return [ksconv, "convt", "--input", os.path.join(directory, "x.npy"), "--weight",
            os.path.join(directory, "w.npy"), "--output", os.path.join(directory, output)]


def interrupt_during_write(ksconv, directory, sig, rows):
    """Returns True when the signal landed while the temporary file existed."""
    proc = subprocess.Popen(convt(ksconv, directory, "y.npy"), stderr=subprocess.PIPE)
    deadline = time.monotonic() + TIMEOUT_S
    sent = False
    while proc.poll() is None and time.monotonic() < deadline:
        if temp_files(directory):
            proc.send_signal(sig)
            sent = True
            break
    _, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 0 or sent, "ksconv failed without a signal: %r" % err
    assert proc.returncode in (0, -sig), "exit status %d, expected 0 or death by signal %d; stderr %r" % (
        proc.returncode, sig, err)
    assert not temp_files(directory), "left behind: %s" % temp_files(directory)
    output = os.path.join(directory, "y.npy")
    if os.path.exists(output):
        # The signal came after the rename (or never): the output must then be whole.
        y = np.load(output)
        assert y.shape == (1, 1, rows, 4096) and (y == 2.0).all(), "incomplete output y.npy"
        os.unlink(output)
        return False  # try again with a larger tensor, whose write takes longer
    assert proc.returncode == -sig
    return True


def interrupt_before_write(ksconv, directory, sig):
    """A signal while the tool is still reading or computing: nothing is written."""
    proc = subprocess.Popen(convt(ksconv, directory, "z.npy"), stderr=subprocess.PIPE)
    time.sleep(0.02)
    proc.send_signal(sig)
    proc.communicate(timeout=TIMEOUT_S)
    assert not temp_files(directory), "left behind: %s" % temp_files(directory)
    if proc.returncode != 0:
        assert proc.returncode == -sig, "exit status %d" % proc.returncode
        assert not os.path.exists(os.path.join(directory, "z.npy"))


def main():
    ksconv = os.path.abspath(sys.argv[1])
    failures = 0
    for sig in (signal.SIGINT, signal.SIGTERM):
        with tempfile.TemporaryDirectory(prefix="ksconv-signals-") as directory:
            rows = 2048
            write_inputs(directory, rows)
            # A file completed earlier must survive the interrupted run.
            subprocess.run(convt(ksconv, directory, "done.npy"), check=True, timeout=TIMEOUT_S)
            done = np.load(os.path.join(directory, "done.npy"))
            caught = False
            for _ in range(5):
                if interrupt_during_write(ksconv, directory, sig, rows):
                    caught = True
                    break
                rows *= 2
                write_inputs(directory, rows)
            interrupt_before_write(ksconv, directory, sig)
            name = signal.Signals(sig).name
            if not caught:
                print("FAIL %s: every run finished before the signal reached it" % name)
                failures += 1
                continue
            kept = np.load(os.path.join(directory, "done.npy"))
            if not np.array_equal(kept, done):
                print("FAIL %s: the earlier output changed" % name)
                failures += 1
                continue
            print("ok %s during the write (%d x 4096 output): no temporary file, exit by signal" % (name, rows))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
