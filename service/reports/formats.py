"""Every downloadable format of an assessment, rendered once per content and kept in a cache.

`render(document, name)` is a plain function (a background job can call it). Results are
cached in this process by assessment, version, format, language and a digest of the
document (which includes the workflow facts and checklist progress it prints), so a second
download of the same version is served from memory and any change renders afresh.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import cache
from typing import Any

from service import errors

CACHE_BYTES = 64 * 1024 * 1024
CJK_FIX = (
    "Chinese reports need a CJK font and none is installed on the server. Install one "
    "(Debian/Ubuntu: apt-get install fonts-noto-cjk; other systems: any Noto Sans/Serif CJK SC "
    "font fontconfig can find) and download the report again."
)


@dataclass(frozen=True, slots=True)
class Format:
    """How one format is rendered and served."""

    name: str
    suffix: str
    mimetype: str
    disposition: str
    render: Callable[[Mapping[str, Any]], bytes]
    contract: str | None = None  # the contract of the document it renders (None: the report)


def _pdf(document: Mapping[str, Any]) -> bytes:
    from service.reports.rendering import render_pdf

    return render_pdf(document)


def _html(document: Mapping[str, Any]) -> bytes:
    from service.reports.rendering import render_html

    return render_html(document).encode("utf-8")


def _docx(document: Mapping[str, Any]) -> bytes:
    from service.reports.docx import render_docx

    return render_docx(document)


def _checklists_docx(document: Mapping[str, Any]) -> bytes:
    from service.reports.docx import render_checklists_docx

    return render_checklists_docx(document)


def _checklists_xlsx(document: Mapping[str, Any]) -> bytes:
    from service.reports.xlsx import checklist_xlsx

    return checklist_xlsx(document)


def _scc_pdf(document: Mapping[str, Any]) -> bytes:
    from service.reports.contracts import render_scc_pdf

    return render_scc_pdf(document)


def _scc_docx(document: Mapping[str, Any]) -> bytes:
    from service.reports.contracts import render_scc_docx

    return render_scc_docx(document)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("pdf", "pdf", "application/pdf", "attachment", _pdf),
        Format("html", "html", "text/html", "inline", _html),
        Format("docx", "docx", DOCX, "attachment", _docx),
        Format("checklists.docx", "checklists.docx", DOCX, "attachment", _checklists_docx),
        Format("checklists.xlsx", "checklists.xlsx", XLSX, "attachment", _checklists_xlsx),
        Format("scc.pdf", "scc.pdf", "application/pdf", "attachment", _scc_pdf, "eu_scc"),
        Format("scc.docx", "scc.docx", DOCX, "attachment", _scc_docx, "eu_scc"),
    )
}


class FontMissing(errors.ServiceUnavailable):
    """A Chinese PDF was asked for and no CJK font is installed (503)."""


class NotOffered(errors.NotFound):
    """A contract format of an assessment whose review does not call for that contract (404)."""


@cache
def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font covering Simplified Chinese (checked once)."""
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
        )
    except OSError:
        return False
    return bool(found.stdout.strip())


def digest(document: Mapping[str, Any]) -> str:
    """A digest of everything a rendering of the document shows."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RenderCache:
    """A byte-bounded LRU of rendered files, safe across threads."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self._lock:
            if key in self._items:
                self._size -= len(self._items.pop(key))
            self._items[key] = body
            self._size += len(body)
            while self._size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


CACHE = RenderCache()


class RenderTimeout(errors.ServiceUnavailable):
    """A rendering did not finish within its budget (it goes on, and lands in the cache): 503,
    to be asked again in a minute."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "60"})


# Renderings a request waits for, per process: at most this many at once (the rest answer
# "busy" at once instead of queueing behind a slow one).
RENDER_SLOTS = 2
_slots = threading.BoundedSemaphore(RENDER_SLOTS)
_pool = ThreadPoolExecutor(max_workers=RENDER_SLOTS, thread_name_prefix="xborder-render")


def _render_within(
    render_one: Callable[[], bytes], cache_key: tuple[Any, ...], budget: float
) -> bytes:
    """Render in the process's render threads and wait at most `budget` seconds.

    Over budget the request gets RenderTimeout at once; the rendering finishes in its thread
    and is cached, so asking again a little later is served from the cache.
    """
    if not _slots.acquire(blocking=False):
        raise RenderTimeout("Other reports are being rendered; try again in a minute.")

    def job() -> bytes:
        try:
            body = render_one()
            CACHE.put(cache_key, body)
            return body
        finally:
            _slots.release()

    future = _pool.submit(job)
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        raise RenderTimeout(
            f"The report takes longer than {budget:g} s to render. It is still being "
            "rendered: download it again in a minute, or ask for it as a report job."
        ) from None


def ensure_offered(document: Mapping[str, Any], name: str) -> None:
    """NotOffered (404) for a contract format (scc.pdf ...) of a document that holds no such
    contract; every other format is offered."""
    contract = FORMATS[name].contract
    if contract and contract not in (document.get("contracts") or {}):
        raise NotOffered(
            "This assessment has no filled EU SCCs: the review's EU result does not name an SCC "
            "module (an assessment generated before contracts were filled gets them on refresh)."
        )


def render(
    document: Mapping[str, Any],
    name: str,
    *,
    key: tuple[Any, ...] = (),
    budget: float | None = None,
) -> bytes:
    """One format of a document; `key` (assessment id, version ...) names it in the cache.

    Raises NotOffered (404) for a contract the document does not hold (no SCC module chosen);
    FontMissing (503) for a Chinese PDF when no CJK font is installed: the PDF would show
    empty boxes in place of every Chinese character. With `budget` (seconds; the download
    routes), raises RenderTimeout (503) when rendering takes longer; jobs and the CLI wait.
    They are domain errors: the API, a job and the CLI report them as they do any other.
    """
    fmt = FORMATS[name]
    ensure_offered(document, name)
    language = str(document.get("language") or "en")
    if name == "pdf" and language == "zh" and not cjk_font_installed():
        raise FontMissing(CJK_FIX)
    cache_key = (*key, name, language, digest(document))
    found = CACHE.get(cache_key)
    if found is not None:
        return found
    if budget is not None:
        return _render_within(lambda: fmt.render(document), cache_key, budget)
    body = fmt.render(document)
    CACHE.put(cache_key, body)
    return body
