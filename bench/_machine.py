"""What every benchmark prints first (the machine) and how it measures memory (peak RSS).

Figures mean little without the machine they were measured on, so each bench script calls
``print_machine()`` before anything else. Peak RSS is the high-water mark of resident memory the
kernel keeps for a process: ``peak_rss_bytes()`` for this process, ``run_measured()`` for a child
(its own figure, read with ``os.wait4``, so the parent's memory never muddles it).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # Windows has no resource module; memory figures are then "n/a"
    resource = None  # type: ignore[assignment]

_LIBRARIES = ("rapidfuzz", "requests", "ruamel.yaml", "Bio")


@dataclass(frozen=True)
class Measured:
    """A finished child process: exit code, wall time, CPU time and peak RSS (None where unknown), output."""

    returncode: int
    seconds: float
    cpu_seconds: float | None
    peak_rss_bytes: int | None
    stdout: str
    stderr: str


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo on Linux), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def library_versions() -> str:
    """The versions of the libraries claimcheck leans on, as "name version" pairs."""
    found: list[str] = []
    for name in _LIBRARIES:
        try:
            module = __import__(name, fromlist=["__version__"])
        except ImportError:
            continue
        found.append(f"{name} {getattr(module, '__version__', '?')}")
    return ", ".join(found)


def machine_lines() -> list[str]:
    """The machine in four lines: platform, CPU (and how busy it is), Python (with library versions)."""
    return [
        f"platform: {platform.platform()}",
        f"cpu: {cpu_model()}, {os.cpu_count()} logical CPUs",
        f"load average: {load_average()} (other work on the machine slows the wall-clock figures)",
        f"python: {platform.python_implementation()} {platform.python_version()}; {library_versions()}",
    ]


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, or "n/a" where the OS has none."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def print_machine() -> None:
    """Print where the figures were measured."""
    for line in machine_lines():
        print(line)


def _rusage_bytes(max_rss: int) -> int:
    """ru_maxrss in bytes: Linux and the BSDs count kibibytes, macOS counts bytes."""
    return max_rss if sys.platform == "darwin" else max_rss * 1024


def peak_rss_bytes() -> int | None:
    """This process's peak resident memory so far, in bytes (None where the OS does not say)."""
    if resource is None:
        return None
    return _rusage_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_measured(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Measured:
    """Run a command to its end; its wall time, its own peak RSS and its output."""
    # Output goes to files, not pipes: a child that writes a lot must never block on a full pipe
    # while this process waits for it with wait4 (which cannot read pipes meanwhile).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, env=dict(env) if env is not None else None,
                                 stdout=out, stderr=err)
        returncode, cpu, peak = _wait(child)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Measured(returncode, seconds, cpu, peak,
                        out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _wait(child: subprocess.Popen[bytes]) -> tuple[int, float | None, int | None]:
    """Wait for the child; its exit code and, where os.wait4 exists, its CPU seconds and peak RSS in bytes.

    On Linux the figures cover the child and the processes it waited for (its workers): CPU time is
    their sum, peak RSS the largest of them.
    """
    if not hasattr(os, "wait4"):
        return child.wait(), None, None
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for a reaped child
    return child.returncode, usage.ru_utime + usage.ru_stime, _rusage_bytes(usage.ru_maxrss)


def compiled_env(cache_folder: Path, package: Path) -> dict[str, str]:
    """An environment whose children find ``package`` compiled to bytecode beforehand, as pip leaves an install.

    Without it a child run with PYTHONDONTWRITEBYTECODE (or from a read-only checkout) compiles every
    module of an editable install again on each start, and the start-up it times is not a user's.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache_folder)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=True)
    return env


def megabytes(size: int | None) -> str:
    """A byte count as "123.4 MB" (MiB), or "n/a"."""
    return "n/a" if size is None else f"{size / (1024 * 1024):,.1f} MB"


def verdict(passed: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    print_machine()
    print(f"peak RSS of this process: {megabytes(peak_rss_bytes())}")
