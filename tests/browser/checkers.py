"""The accessibility gate's two checkers: axe-core in the page, the Nu Html Checker on files.

Both come from the npm packages pinned in package-lock.json (`make setup` runs `npm ci`).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).parents[2] / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def require(path: Path | None, what: str, how: str) -> Path:
    """`path`, when it exists; else the test is skipped, or under CI it fails (as the
    chromium fixture does)."""
    if path is not None and path.exists():
        return path
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def java() -> Path:
    found = shutil.which("java")
    return require(found and Path(found), "java", "apt-get install default-jre-headless")


def axe_violations(page) -> list[str]:
    """Run axe-core's standard rules on the page (its context must bypass the CSP)."""
    page.add_script_tag(path=AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}; "
        f"{', '.join(' '.join(node['target']) for node in violation['nodes'])}"
        for violation in result["violations"]
    ]


def nu_errors(files: list[Path]) -> dict[Path, list[str]]:
    """The Nu Html Checker's errors for each file, from one JVM run (its start is slow)."""
    completed = subprocess.run(
        [java(), "-jar", VNU_JAR, "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The checker exits 1 when it finds errors; its report goes to stderr either way.
    messages = json.loads(completed.stderr)["messages"]
    errors: dict[Path, list[str]] = {path: [] for path in files}
    for message in messages:
        path = Path(message.get("url", "").removeprefix("file:"))
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        extract = f" «{message['extract'].strip()}»" if message.get("extract") else ""
        errors.setdefault(path, []).append(f"{where}{message['message']}{extract}")
    return errors
