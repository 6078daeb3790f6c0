"""Tests run against this checkout's package, whatever else is installed.

`--full` runs the slow guards in full (CI's `.ci/run` does): every Kustomize
build of the corpus, workers against one process on the whole corpus, and the
pre-commit hook installed by pip as users get it. Without it those guards run
on samples chosen to cover the same features, so the suite stays well under a
minute."""

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from support import lint_paths, once_per_session, shared  # noqa: E402  (needs the path above)

from k8slint.engine.registry import load_rules  # noqa: E402
from k8slint.kustomize.build import OFF as RAW  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        help="run the slow guards in full instead of on samples (CI does)",
    )


@pytest.fixture(scope="session")
def full(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--full"))


@pytest.fixture(scope="session")
def raw_corpus(tmp_path_factory: pytest.TempPathFactory):
    """../shared/corpus linted raw (Kustomize trees unbuilt) with every rule, in one
    process (the test workers keep the cores busy; the engine's own workers would
    only add their cost): once per session, shared by every test that needs the
    corpus's findings (tests/test_corpus_builds.py lints it built)."""
    rules = sorted(load_rules())
    return once_per_session(
        tmp_path_factory,
        "raw-corpus",
        lambda: lint_paths([str(shared("corpus"))], rules, jobs=1, kustomize_command=RAW),
    )


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


@pytest.fixture(autouse=True)
def _cache_of_the_test(tmp_path_factory, monkeypatch):
    """Each test starts with an empty cache: one that replaces a check or a limit
    in-process must not read what another test's code computed."""
    monkeypatch.setenv("K8SLINT_CACHE_DIR", str(tmp_path_factory.mktemp("k8slint_cache")))
