"""What every benchmark script measures the same way."""

from __future__ import annotations

import resource
import sys


def peak_rss_mb() -> float:
    """This process's peak RSS. On Linux VmHWM, because ru_maxrss survives fork+exec and
    would report the parent's size for a child started while the parent was large."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
