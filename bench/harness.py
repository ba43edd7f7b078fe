"""What the bench scripts share: running their clients on threads, all at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any


def run_threads(target: Callable[[Any], None], arguments: Iterable[Any]) -> float:
    """Run target(argument) for each argument, each on a thread of its own, all started before
    any is waited for; the wall seconds from the first start to the last end."""
    threads = [threading.Thread(target=target, args=(argument,)) for argument in arguments]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started
