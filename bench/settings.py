"""The project's settings as production runs them, with static files collected into the
benchmark's temporary folder (BENCH_STATIC_ROOT) instead of the project's."""

import os

from config.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
