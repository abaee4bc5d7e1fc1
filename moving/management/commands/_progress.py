"""The progress bar of the import commands, on a terminal only."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


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
