"""What the import commands share: the progress bar, on a terminal only, and the run."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError
from tqdm import tqdm

from moving.imports import FileImport, ImportRefused


@contextmanager
def progress_bar(*, enabled: bool, unit: str) -> Iterator[Callable[[int, int], None]]:
    """Yield advance(done, total), which moves a bar on stderr when `enabled`."""
    if not enabled:
        yield lambda done, total: None
        return
    bar = tqdm(unit=unit, dynamic_ncols=True, leave=False)
    try:

        def advance(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        yield advance
    finally:
        bar.close()


def run_import(command, importer: FileImport, *, unit: str) -> None:
    """Run `importer` with a progress bar, and print its report or the reason it refused."""
    with progress_bar(enabled=sys.stderr.isatty(), unit=unit) as advance:
        importer.progress = advance
        try:
            report = importer.run()
        except ImportRefused as refused:
            raise CommandError(f"Nothing was imported. {refused}") from refused
    for line in report.lines():
        command.stdout.write(line)
