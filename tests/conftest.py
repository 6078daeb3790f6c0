"""Tests run against this checkout's package, whatever else is installed."""

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

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
