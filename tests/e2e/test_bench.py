#!/usr/bin/python3
"""End-to-end tests of `ksconv bench`.

Usage: /usr/bin/python3 tests/e2e/test_bench.py path/to/ksconv

Runs the benchmark on three tiny shapes (plain, grouped with stride 3 and output padding,
depthwise with dilation) with a short timing target, in CSV and table format and with 1 and
2 threads, and checks the CSV contract: the exact header, one row per shape x method,
positive timings and rates, and that every method is timed at least 10 times. Then checks
that malformed shape files and bad options fail with one `ksconv: error:` line and the
documented exit status.
"""

import os
import subprocess
import sys
import tempfile

TIMEOUT_S = 120
HEADER = "name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation,groups"
CSV_HEADER = "name,method,device,threads,median_ms,min_ms,gflops,extra_bytes"
SHAPES = [
    "tiny_s2,1,4,5,6,3,4,4,2,1,0,1,1",
    "tiny_g2_s3,2,4,5,4,6,3,5,3,1,2,1,2",
    "tiny_dw_dil,1,3,7,7,3,3,3,2,0,1,2,3",
]
FAST = ["--min-time", "0.01"]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def run(ksconv, args):
    return subprocess.run([ksconv, "bench"] + args, capture_output=True, text=True, timeout=TIMEOUT_S)


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def onednn_built(ksconv):
    help_text = run(ksconv, ["--help"]).stdout
    return "built: oneDNN" in help_text


def check_csv_run(ksconv, shapes_csv, methods, threads, default_methods=False):
    """default_methods: run without --methods; `methods` is then what the default should be."""
    what = "csv run (threads %d, methods %s)" % (threads, ",".join(methods))
    method_args = [] if default_methods else ["--methods", ",".join(methods)]
    result = run(ksconv, ["--shapes", shapes_csv, "--format", "csv", "--threads", str(threads)]
                 + method_args + FAST)
    check(result.returncode == 0, "%s: exit %d, stderr %r" % (what, result.returncode, result.stderr))
    check(result.stderr == "", "%s: stderr should be empty without --verbose, got %r" % (what, result.stderr))
    lines = result.stdout.splitlines()
    check(lines[:1] == [CSV_HEADER], "%s: first line %r" % (what, lines[:1]))
    rows = [line.split(",") for line in lines[1:]]
    names = [shape.split(",")[0] for shape in SHAPES]
    expected = [(name, method) for name in names for method in methods]
    check([(row[0], row[1]) for row in rows] == expected,
          "%s: rows %r, expected %r" % (what, [(r[0], r[1]) for r in rows], expected))
    for row in rows:
        if len(row) != 8:
            check(False, "%s: row %r does not have 8 fields" % (what, row))
            continue
        name, method, device, row_threads, median_ms, min_ms, gflops, extra_bytes = row
        check(device == "cpu", "%s: device %r" % (what, device))
        check(row_threads == str(threads), "%s: threads %r" % (what, row_threads))
        try:
            median, minimum, rate, extra = float(median_ms), float(min_ms), float(gflops), int(extra_bytes)
        except ValueError:
            check(False, "%s: row %r has a non-number" % (what, row))
            continue
        check(0 < minimum <= median, "%s: %s/%s: min %g, median %g" % (what, name, method, minimum, median))
        check(rate > 0, "%s: %s/%s: gflops %g" % (what, name, method, rate))
        # ksconv always holds packed weights; oneDNN may need nothing beyond the user's tensors.
        check(extra > 0 if method != "onednn" else extra >= 0,
              "%s: %s/%s: extra_bytes %d" % (what, name, method, extra))


def check_table_run(ksconv, shapes_csv):
    result = run(ksconv, ["--shapes", shapes_csv, "--threads", "1", "--only", "tiny_dw_dil,tiny_s2"] + FAST)
    check(result.returncode == 0, "table run: exit %d, stderr %r" % (result.returncode, result.stderr))
    out = result.stdout
    check(out.startswith("machine: "), "table run: no machine line first: %r" % out[:80])
    for needle in ("median ms", "min ms", "GFLOP/s", "extra bytes", "vs segregated", "tiny_s2", "tiny_dw_dil"):
        check(needle in out, "table run: %r missing" % needle)
    check("tiny_g2_s3" not in out, "table run: --only did not filter out tiny_g2_s3")


def check_repetitions(ksconv, shapes_csv, methods):
    """Timed side by side in rounds, every method still gets at least 10 timed repetitions
    (--verbose prints each runner's count). The default timing target: with FAST's, a cell
    may be capped below 10 slow repetitions on a loaded machine, as the policy allows."""
    result = run(ksconv, ["--shapes", shapes_csv, "--format", "csv", "--only", "tiny_s2", "--verbose",
                          "--methods", ",".join(methods)])
    check(result.returncode == 0, "verbose run: exit %d, stderr %r" % (result.returncode, result.stderr))
    counts = {}
    for line in result.stderr.splitlines():
        if line.endswith(" reps") and ": median " in line:
            method = line.split(": ")[3].split(" (")[0]
            counts.setdefault(method, []).append(int(line.rsplit(", ", 1)[1].split()[0]))
    check(sorted(counts) == sorted(methods), "verbose run: repetitions reported for %r, expected %r"
          % (sorted(counts), sorted(methods)))
    for method, reps in counts.items():
        check(all(n >= 10 for n in reps), "verbose run: %s timed %r repetitions, fewer than 10" % (method, reps))


def check_error(ksconv, args, status, fragment, what):
    result = run(ksconv, args)
    lines = result.stderr.splitlines()
    check(result.returncode == status, "%s: exit %d, expected %d (stderr %r)"
          % (what, result.returncode, status, result.stderr))
    check(len(lines) == 1 and lines[0].startswith("ksconv: error:"),
          "%s: stderr should be one 'ksconv: error:' line, got %r" % (what, result.stderr))
    check(fragment in result.stderr, "%s: %r not in %r" % (what, fragment, result.stderr))
    check(result.stdout == "", "%s: stdout should be empty, got %r" % (what, result.stdout[:200]))


def check_malformed_files(ksconv, directory):
    good = SHAPES[0]
    cases = [
        ("bad header", "name,N,Cin,H,W,Cout,KH,KW,stride,pad,output_pad,dilation\n" + good + "\n", "line 1:"),
        ("empty file", "", "line 1:"),
        ("missing field", HEADER + "\n" + good + "\n" + "x,1,4,5,6,3,4,4,2,1,0,1\n", "line 3:"),
        ("extra field", HEADER + "\n" + good + ",7\n", "line 2:"),
        ("non-integer", HEADER + "\n" + "x,1,4,5,6,3,4,4,2.0,1,0,1,1\n", "line 2:"),
        ("negative pad", HEADER + "\n" + "x,1,4,5,6,3,4,4,2,-1,0,1,1\n", "line 2:"),
        ("output_pad >= stride", HEADER + "\n" + "x,1,4,5,6,3,4,4,2,1,2,1,1\n", "line 2:"),
        ("zero stride", HEADER + "\n" + "x,1,4,5,6,3,4,4,0,1,0,1,1\n", "line 2:"),
        ("groups not dividing Cin", HEADER + "\n" + "x,1,4,5,6,3,4,4,2,1,0,1,3\n", "line 2:"),
        ("groups not dividing Cout", HEADER + "\n" + "x,1,4,5,6,3,4,4,2,1,0,1,2\n", "line 2:"),
        ("empty output", HEADER + "\n" + "x,1,4,1,1,3,1,1,2,2,0,1,1\n", "line 2:"),
        ("duplicate name", HEADER + "\n" + good + "\n" + good + "\n", "line 3:"),
    ]
    for what, text, fragment in cases:
        path = write(directory, "bad.csv", text)
        check_error(ksconv, ["--shapes", path, "--format", "csv"] + FAST, 1, path + " " + fragment, what)


def check_bad_options(ksconv, shapes_csv):
    check_error(ksconv, ["--shapes", shapes_csv, "--methods", "segregated,fft"], 2, "fft", "unknown method")
    check_error(ksconv, ["--shapes", shapes_csv, "--format", "json"], 2, "--format", "unknown format")
    check_error(ksconv, ["--shapes", shapes_csv, "--threads", "0"], 2, "--threads", "zero threads")
    check_error(ksconv, ["--shapes", shapes_csv, "--only", "nope"], 1, "nope", "unknown --only name")
    check_error(ksconv, ["--methods", "segregated"], 2, "--shapes", "missing --shapes")
    check_error(ksconv, ["--shapes", shapes_csv + ".missing"], 1, ".missing", "missing file")
    if not onednn_built(ksconv):
        check_error(ksconv, ["--shapes", shapes_csv, "--methods", "onednn"], 1,
                    "method 'onednn' is not built (oneDNN was not found at build time)", "onednn not built")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    ksconv = sys.argv[1]
    with tempfile.TemporaryDirectory() as directory:
        shapes_csv = write(directory, "shapes.csv", HEADER + "\n" + "\n".join(SHAPES) + "\n")
        methods = ["segregated", "zero-insert"] + (["onednn"] if onednn_built(ksconv) else [])
        print("methods: " + ",".join(methods))
        check_csv_run(ksconv, shapes_csv, methods, 1)
        check_csv_run(ksconv, shapes_csv, methods, 2, default_methods=True)
        check_csv_run(ksconv, shapes_csv, ["zero-insert"], 2)
        check_table_run(ksconv, shapes_csv)
        check_repetitions(ksconv, shapes_csv, methods)
        check_malformed_files(ksconv, directory)
        check_bad_options(ksconv, shapes_csv)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    print("all bench checks passed")


if __name__ == "__main__":
    main()
