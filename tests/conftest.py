"""Tests run against this checkout's package, whatever else is installed.

`--full` runs the slow guards in full (CI's `.ci/run` does): every Kustomize
build of the corpus, workers against one process on the whole corpus, and the
pre-commit hook installed as users get it (a hook repository with its
dependencies). Without it those guards run on samples chosen to cover the same
features (README.md says what each costs)."""

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from support import lint_paths, once_per_session, shared  # noqa: E402  (needs the path above)

from k8slint.engine.registry import load_rules  # noqa: E402
from k8slint.engine.run import LintResult  # noqa: E402
from k8slint.kube import sharing  # noqa: E402
from k8slint.kustomize.build import OFF as RAW  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        help="run the slow guards in full instead of on samples (CI does)",
    )


LONGEST_FIRST = (
    "test_check_reads.py",  # corpus trees linted whole, by declared reads and by parts
    "test_precommit.py",  # pre-commit, and installing the hook with --full
    "test_corpus_builds.py",  # Kustomize builds (every corpus root with --full)
    "test_cache.py",  # warm against cold runs, with builds
    "test_corpus.py",  # the session's corpus lint, and workers against one process
    "test_components.py",  # corpus trees' selectors asked of parts and of the whole
    "test_benchmarks.py",  # the bench's stages (one waits for the cache to settle)
    "test_cache_deps.py",
    "test_fix.py",
    "test_shed.py",
)
"""The files that hold the suite's longest tests, longest first."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first, then the others by their number of tests, most
    first: xdist hands out whole files (`--dist loadfile`) in this order
    (`--no-loadscope-reorder`), so a long test never starts last, on one worker
    while the other has nothing left (by test count alone, xdist would start the
    one-test files, the longest, last: 15 s of one idle core under `--full`)."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.path.name] = counts.get(item.path.name, 0) + 1

    def rank(item: pytest.Item) -> tuple[int, int, str]:
        name = item.path.name
        first = LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
        return first, -counts[name], str(item.path)

    items.sort(key=rank)  # stable: a file's tests keep their order


@pytest.fixture(scope="session")
def full(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--full"))


@pytest.fixture(scope="session")
def raw_corpus(tmp_path_factory: pytest.TempPathFactory):
    """../shared/corpus linted raw (Kustomize trees unbuilt) with every rule, in one
    process (the test workers keep the cores busy; the engine's own workers would
    only add their cost): once per session, shared by every test that needs the
    corpus's findings (tests/test_corpus_builds.py lints it built). Its objects are
    held shared from the first (`kube.sharing`; a run of the corpus's size would
    not share), so that every test comparing with it also holds sharing to change
    nothing (tests/test_shed.py lints it unshared)."""
    rules = sorted(load_rules())

    def lint() -> LintResult:
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(sharing, "UNSHARED_OBJECTS", 0)
            return lint_paths([str(shared("corpus"))], rules, jobs=1, kustomize_command=RAW)

    return once_per_session(tmp_path_factory, "raw-corpus", lint)


# Property tests (tests/test_fuzz.py): a bounded, reproducible run by default so
# the suite stays fast and never flaky; `--hypothesis-profile=long` searches for
# as long as it is left running (see the README).
settings.register_profile(
    "bounded",
    max_examples=25,
    deadline=timedelta(seconds=30),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=4_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("bounded")


@pytest.fixture(autouse=True, scope="session")
def _cache_of_the_session(tmp_path_factory):
    """The CLI caches by default: the suite's never lands in the repository or the
    corpus (module fixtures that lint through the CLI use this one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("K8SLINT_CACHE_DIR", str(tmp_path_factory.mktemp("k8slint_cache")))
        yield


@pytest.fixture(scope="session")
def _caches(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("caches")


@pytest.fixture(autouse=True)
def _cache_of_the_test(_caches, monkeypatch):
    """Each test starts with an empty cache: one that replaces a check or a limit
    in-process must not read what another test's code computed. Made by `mkdtemp`
    in a folder of their own: `tmp_path_factory.mktemp` lists its whole folder to
    number a new one, and a worker's thousand tests made that 2.5 CPU-seconds."""
    monkeypatch.setenv("K8SLINT_CACHE_DIR", tempfile.mkdtemp(prefix="cache", dir=_caches))
