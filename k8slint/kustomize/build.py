"""Run Kustomize on a root, without writing in the user's tree.

Kustomize records where each object came from only when the kustomization
asks for it (`buildMetadata`), and the user's kustomization must not be
edited: a wrapper kustomization in a temporary directory includes the root by
relative path and asks for the annotations. The wrapper lists a directory, so
no load restriction applies to it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # imported by the builds themselves: a run without one never needs them
    import subprocess

DEFAULT_TIMEOUT = 120.0
"""Seconds; a build that fetches a remote base may wait on the network
(`--kustomize-timeout` / the `kustomize-timeout` key change it)."""

OFF = "none"
"""`--kustomize-command none`: lint the raw files, as without a binary."""

_KLOG_ERROR = re.compile(r'"command failed" err=(?:"(.*)"|<(.*)>)\s*$', re.DOTALL)

_WRAPPER_PREAMBLE = re.compile(
    r"^accumulating resources: accumulation err='accumulating resources from '[^']*': "
    r"'[^']*' must resolve to a file': recursed accumulation of path '[^']*': "
)
"""How Kustomize says that the error is in the wrapper's resource: true, but noise."""

_WRAPPER = """# written by k8slint: builds {target} with origin annotations
resources:
  - {target}
buildMetadata: [originAnnotations, transformerAnnotations]
"""


def find_command(configured: str | None) -> list[str] | None:
    """The command that builds a directory given as its last argument: the
    configured one, else `kustomize build`, else `kubectl kustomize`; None: no binary."""
    if configured is not None:
        import shlex  # here and in a failed build's message: not at start-up

        words = shlex.split(configured)
        return None if not words or words == [OFF] else words
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


class BuildOutput(NamedTuple):
    """What Kustomize printed: the built YAML, or why it failed."""

    text: str | None
    error: str | None
    wrapper: str
    """The wrapper's directory (gone by now): origin paths are relative to it."""
    settled: bool = True
    """The same inputs give the same outcome: false for a timeout or a command
    that could not run, which another run (another load) may not repeat."""


def run_build(command: list[str], directory: str, display: str, timeout: float) -> BuildOutput:
    """Build `directory` through a wrapper; the temporary directory goes on every path out."""
    import shlex
    import subprocess
    import tempfile

    wrapper = tempfile.mkdtemp(prefix="k8slint-kustomize-")
    try:
        target = os.path.relpath(directory, wrapper)
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write(_WRAPPER.format(target=_quoted(target)))
        try:
            done = _run(command, wrapper, timeout)
        except subprocess.TimeoutExpired:
            return BuildOutput(None, _timed_out(command, timeout), wrapper, settled=False)
        except OSError as error:
            message = f"`{shlex.join(command)}` could not run: {error}"
            return BuildOutput(None, message, wrapper, settled=False)
        if done.returncode != 0:
            return BuildOutput(None, _message(done.stderr, wrapper, directory, display), wrapper)
        return BuildOutput(done.stdout, None, wrapper)
    finally:
        shutil.rmtree(wrapper, ignore_errors=True)


GOGC = "400"
"""Go's garbage collector target for a build, unless the user set GOGC: at Go's
default (100) `kubectl kustomize` spends a third of its CPU collecting on big
builds (the corpus's argo-cd and kube-prometheus: its 56 roots take 16
CPU-seconds at 400, 23 at 100), for at most a few hundred MB more at its peak.
What a build prints is the same."""


def _run(command: list[str], wrapper: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run the build in a session of its own: on a timeout the whole group is
    killed, so a wrapper script's children (or Kustomize's git and plugins) do
    not outlive the run."""
    import subprocess

    with subprocess.Popen(
        [*command, wrapper],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={"GOGC": GOGC, **os.environ},
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    import signal

    killpg = getattr(os, "killpg", None)  # POSIX only
    if killpg is not None:
        with contextlib.suppress(OSError):  # the group is gone already
            killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()


def _timed_out(command: list[str], timeout: float) -> str:
    import shlex

    return (
        f"`{shlex.join(command)}` timed out after {timeout:g}s "
        "(--kustomize-timeout or the `kustomize-timeout` config key raises the limit)"
    )


def _quoted(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message(stderr: str, wrapper: str, directory: str, display: str) -> str:
    """Kustomize's own message, without its deprecation warnings, and naming
    the user's directory instead of the wrapper."""
    lines = [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("# Warning") and not line.startswith("Warning:")
    ]
    text = " ".join(lines)
    logged = _KLOG_ERROR.search(text)  # kubectl logs Kustomize's error through klog
    if logged:
        text = (logged.group(1) or logged.group(2)).replace('\\"', '"')
    text = _WRAPPER_PREAMBLE.sub("", " ".join(text.split()))
    text = text.removeprefix("error: ").removeprefix("Error: ")
    text = text.replace(os.path.relpath(directory, wrapper), display).replace(wrapper, "<build>")
    return text or "kustomize failed without a message"
