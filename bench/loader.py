"""How long loading all 70,000 MNIST images takes, and the peak memory it needs.

Run from the repository root:  python -m bench.loader
Each repeat runs in a fresh process, so peak memory is the loader's own
(plus the interpreter and NumPy), and the files are read from the page cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
import mnist_loader
(train, validation, test) = mnist_loader.load_data(fetch_missing=False)
seconds = time.perf_counter() - start
images = len(train[0]) + len(validation[0]) + len(test[0])
print(json.dumps({"seconds": seconds, "images": images,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.repeats):
        done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr.strip().splitlines()[-1], file=sys.stderr)
            return 1
        runs.append(json.loads(done.stdout))
    seconds = [r["seconds"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    print(f"MNIST load_data(): {runs[0]['images']:,} images, {args.repeats} fresh processes "
          "(time includes importing NumPy and checking all four SHA-256)")
    print(f"{'':18}{'median':>10}{'max':>10}{'limit':>10}")
    print(f"{'seconds':18}{statistics.median(seconds):10.2f}{max(seconds):10.2f}{2.0:10.2f}")
    print(f"{'peak memory (MB)':18}{statistics.median(peaks):10.0f}{max(peaks):10.0f}{600:10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
