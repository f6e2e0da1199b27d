"""Import times: what `import mnist_loader`, `import digitapp` and the app's modules cost a fresh process.

Each import runs in a new interpreter (so nothing is cached in memory),
several times; the table gives the median and which heavy libraries the
import pulled in.  Run from the repository root: ``python -m bench.imports``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

IMPORTS = (
    "import mnist_loader",
    "import digitapp",
    "from digitapp import Network",
    "from digitapp import Recognizer",
    "import digitapp.gui.app",
    "import digitapp.train",
)
HEAVY = ("numpy", "scipy", "PIL", "matplotlib", "skimage", "tqdm", "tkinter", "digitapp.network")

PROBE = """
import json, sys, time
start = time.perf_counter()
exec(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


def time_import(statement: str, repeats: int) -> tuple[float, list[str]]:
    """Median seconds of ``statement`` in fresh interpreters, and the heavy modules it loaded."""
    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", PROBE, statement, *HEAVY],
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    return statistics.median(r["seconds"] for r in runs), runs[-1]["loaded"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="fresh processes per import")
    args = parser.parse_args(argv)
    print(f"{'import':36}{'median ms':>10}   loads")
    for statement in IMPORTS:
        seconds, loaded = time_import(statement, args.repeats)
        print(f"{statement:36}{1000 * seconds:10.1f}   {', '.join(loaded) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
