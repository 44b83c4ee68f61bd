"""Shared fixtures: the backends to test and the `augment` command-line tool to compare with."""
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import swift_augment as sa

REPO = Path(__file__).resolve().parents[2]


def _opencl_available() -> bool:
    try:
        return len(sa.devices()) > 0
    except sa.AugmentError:
        return False


BACKENDS = ["cpu", pytest.param("opencl", marks=pytest.mark.skipif(not _opencl_available(), reason="no OpenCL device"))]


@pytest.fixture(params=BACKENDS)
def backend_kind(request) -> str:
    return request.param


@pytest.fixture
def backend(backend_kind):
    with sa.Backend(backend_kind) as made:
        yield made


@pytest.fixture(scope="session")
def augment_cli() -> str:
    """The `augment` binary: $AUGMENT_CLI, else the checkout's debug or release build."""
    candidates = [os.environ.get("AUGMENT_CLI", ""), str(REPO / ".build" / "debug" / "augment"),
                  str(REPO / ".build" / "release" / "augment"), shutil.which("augment") or ""]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("no `augment` binary: run `swift build --product augment` or set AUGMENT_CLI")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
