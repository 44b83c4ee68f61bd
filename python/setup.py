"""Builds libSwiftAugment (the C ABI of the Swift package one folder up) and bundles it.

`pip install ./python` runs `swift build -c release --product SwiftAugment` in the repository and
copies the shared library and its header into the package. Needs the Swift 6 toolchain on PATH
(and the OpenCL development packages the Swift package needs; see the repository's README).

Environment:
  SWIFT_AUGMENT_LIBRARY   path to an already built libSwiftAugment.so: bundle it, build nothing
                          (scripts/test-python.sh passes the debug build of `swift build`)
  SWIFT_AUGMENT_PACKAGE   the Swift package's folder (default: the parent of this folder)
  SWIFT_AUGMENT_SCRATCH   SwiftPM's scratch path (default: <package>/.build, shared with `swift build`)
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LIBRARY = "libSwiftAugment.dylib" if sys.platform == "darwin" else "libSwiftAugment.so"


def _package_dir() -> Path:
    package = Path(os.environ.get("SWIFT_AUGMENT_PACKAGE", HERE.parent)).resolve()
    if not (package / "Package.swift").is_file():
        raise SystemExit(
            f"swift-augment: no Package.swift in {package}. Install from a checkout of the repository "
            "(pip install ./python), or set SWIFT_AUGMENT_PACKAGE to the checkout, or "
            "SWIFT_AUGMENT_LIBRARY to a built libSwiftAugment.so.")
    return package


def _build_library() -> Path:
    prebuilt = os.environ.get("SWIFT_AUGMENT_LIBRARY")
    if prebuilt:
        path = Path(prebuilt).resolve()
        if not path.is_file():
            raise SystemExit(f"swift-augment: SWIFT_AUGMENT_LIBRARY={prebuilt} is not a file")
        return path
    if shutil.which("swift") is None:
        raise SystemExit("swift-augment: building needs the Swift 6 toolchain on PATH "
                         "(https://www.swift.org/install/linux/), or SWIFT_AUGMENT_LIBRARY set to a built library")
    package = _package_dir()
    scratch = Path(os.environ.get("SWIFT_AUGMENT_SCRATCH", package / ".build"))
    where = ["--package-path", str(package), "--scratch-path", str(scratch)]
    command = ["swift", "build", "-c", "release", "--product", "SwiftAugment", *where]
    print("swift-augment: " + " ".join(command), flush=True)
    subprocess.run(command, check=True)
    bin_path = subprocess.run(["swift", "build", "-c", "release", *where, "--show-bin-path"],
                              check=True, capture_output=True, text=True).stdout.strip()
    return Path(bin_path) / LIBRARY


class BuildSwiftLibrary(build_py):
    """build_py that also puts the Swift shared library and the C header into the package."""

    def run(self) -> None:
        super().run()
        library = _build_library()
        target = Path(self.build_lib) / "swift_augment"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target / LIBRARY)
        header = HERE.parent / "Sources" / "CSwiftAugment" / "include" / "swift_augment.h"
        if header.is_file():
            shutil.copy2(header, target / "swift_augment.h")


class BinaryDistribution(Distribution):
    """Marks the wheel as platform-specific: it carries a native library."""

    def has_ext_modules(self) -> bool:
        return True


setup(cmdclass={"build_py": BuildSwiftLibrary}, distclass=BinaryDistribution)
