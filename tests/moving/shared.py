"""The export files other projects wrote for their own tests, read in place from
../shared/fixtures (see its README); a test that needs one skips where it is absent."""

from pathlib import Path

import pytest

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def shared_fixture(*parts: str) -> Path:
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: the WordPress and Disqus export files sit in ../shared/fixtures "
            "beside the checkout in CI."
        )
    return path
