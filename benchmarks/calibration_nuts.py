"""Calibration cost: the hierarchical NUTS fit against the former single-level BFGS + Laplace fit.

Times ``microneedling calibrate`` of this tree (NumPyro NUTS, 2 chains x 400 warm-up + 400 samples, every arm
with role fit; the arms' courses come from the stored emulator and the likelihood tables from the user's cache
unless ``BENCH_COLD=1`` removes the one and gives the run an empty cache folder) and
the former fit at the git revision ``BENCH_OLD_REV`` (default ``f7b7954``, the last commit with the BFGS fit),
checked out into a temporary worktree and run with the same interpreter on its own trial records. Both write
into temporary data folders; the package's stored calibration is not touched. Prints one JSON line with wall
seconds and the ratio new / old.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD_REV = os.environ.get("BENCH_OLD_REV", "f7b7954")


def _calibrate(src: Path, data: Path) -> float:
    shutil.copytree(src / "src" / "microneedling" / "data", data, dirs_exist_ok=True)
    if os.environ.get("BENCH_COLD") == "1":
        (data / "calibration" / "trial_emulator.json").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    if os.environ.get("BENCH_COLD") == "1":  # nothing compiled or tabulated before: a fresh cache folder
        env["MICRONEEDLING_CACHE_DIR"] = str(data / "cache")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from microneedling.cli import main; sys.argv[0] = "
                    "'microneedling'; main()", "calibrate", "--data-dir", str(data),
                    "--trials", str(src / "src" / "microneedling" / "data" / "trials")],
                   check=True, env=env, cwd=src, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old_tree = tmp / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), OLD_REV], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            old = _calibrate(old_tree, tmp / "old-data")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], check=True, cwd=ROOT)
        new = _calibrate(ROOT, tmp / "new-data")
        fit = json.loads((tmp / "new-data" / "calibration" / "trial_response_fit.json").read_text())
    print(json.dumps({"old_bfgs_seconds": round(old, 1), "new_nuts_seconds": round(new, 1),
                      "ratio_new_over_old": round(new / old, 2), "arms": len(fit["arms"]),
                      "nuts_seconds_in_fit": fit["sampler"]["seconds"], "load": os.getloadavg()}))


if __name__ == "__main__":
    main()
