"""Where the page checkers live. Locally they may be missing (skip with the fix); in CI they must not be."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str) -> None:
    message = f"{what} is missing: run 'make check-pages' (it installs node_modules with npm ci)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        _missing("java (Debian: default-jre-headless)")
    if not VNU_JAR.is_file():
        _missing("The Nu HTML Checker (npm package vnu-jar)")
    # The schema needs a deep stack; a short-lived JVM starts faster with only the quick compiler.
    return [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR)]


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_JS.is_file():
        _missing("axe-core (npm package axe-core)")
    return AXE_JS


def vnu_errors(vnu_command: list[str], files) -> list[str]:
    """The Nu HTML Checker's errors for the saved pages, each as "file:line: message"."""
    result = subprocess.run(
        [*vnu_command, "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in json.loads(result.stdout)["messages"]
        if m["type"] in {"error", "non-document-error"}
    ]
