"""A PDF's text layer, read in a child process with limits, so a hostile PDF cannot hold a worker.

A PDF is a program more than a document: one content stream shared by 20,000 pages, a
60-million-character text layer or a decompression bomb each cost a parser minutes or gigabytes.
`pdf_to_text` therefore reads it in a child process (`python -m assessments.scanner.pdf`), with

- a page limit (the declared count is checked before the page tree is walked),
- a decompressed-bytes limit (per stream through pypdf's configuration, and in total over
  every page's content),
- an extracted-characters limit,
- a CPU-time and address-space limit (`resource`, in the child) and a wall-clock limit (the
  parent kills the child when it has not answered).

Over a limit the parent raises `ExtractionError` with reason `too_large` (pages, bytes,
characters, memory) or `too_complex` (time); a file pypdf cannot parse is `unreadable`.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import select
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assessments.scanner.errors import ExtractionError

_ROOT = str(Path(__file__).resolve().parents[2])  # the directory that holds `assessments/`
_STARTUP_SECONDS = 30.0  # starting the child is not the file's doing: a generous, separate budget


@dataclass(frozen=True)
class PdfLimits:
    """What reading one PDF may cost (the defaults answer well within 2 s)."""

    max_pages: int = 1000
    max_decompressed_bytes: int = 16 * 1024 * 1024
    max_chars: int = 2_000_000
    seconds: float = 1.5
    memory_bytes: int = 768 * 1024 * 1024


DEFAULT_LIMITS = PdfLimits()


def pdf_to_text(data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> str:
    """The text layer of a PDF, page by page, read in a limited child process."""
    # No PYTHON* settings of the parent's (tracing, start-up scripts): only where the code is.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-m", __name__, json.dumps(asdict(limits))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert child.stdout is not None
        # The child says it is ready (interpreter up, pypdf imported, limits set): only then
        # does the file's clock start.
        ready, _, _ = select.select([child.stdout], [], [], _STARTUP_SECONDS)
        if not ready or os.read(child.stdout.fileno(), 1) != b"R":
            raise ExtractionError("too_complex", "The PDF reader did not start; try again.")
        try:
            out, _ = child.communicate(input=data, timeout=limits.seconds)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionError(
                "too_complex", f"The PDF takes longer than {limits.seconds:g} s to read."
            ) from exc
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    if child.returncode != 0 or not out:  # killed by its CPU or memory limit
        raise ExtractionError("too_complex", "The PDF needs more time or memory than a policy may.")
    reason, payload = json.loads(out)
    if reason != "ok":
        raise ExtractionError(reason, payload)
    text: str = payload
    return text


def _main(argv: list[str]) -> None:
    """In the child: limits from argv, the PDF on stdin, ["ok", text] or [reason, message] out."""
    limits = PdfLimits(**json.loads(argv[1]))
    import pypdf  # noqa: F401  (imported before the clock starts)

    _limit_process(limits)
    sys.stdout.buffer.write(b"R")
    sys.stdout.buffer.flush()
    data = sys.stdin.buffer.read()
    try:
        result: tuple[str, str] = ("ok", read_text_layer(data, limits))
    except ExtractionError as exc:
        result = (exc.reason, str(exc))
    except MemoryError:
        result = ("too_large", "The PDF needs more memory than a policy may.")
    except RecursionError:
        result = ("unreadable", "The PDF cannot be read: its objects nest too deeply.")
    except Exception as exc:  # a hostile file may break the parser anywhere: unreadable
        result = ("unreadable", f"The PDF cannot be read: {type(exc).__name__}: {exc}"[:500])
    sys.stdout.buffer.write(json.dumps(result).encode())
    sys.stdout.buffer.flush()


def _limit_process(limits: PdfLimits) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX: the parent's wall clock still holds
        return
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    with contextlib.suppress(ValueError, OSError):  # already mapped more than the limit
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))


def _configure_pypdf(limits: PdfLimits) -> None:
    import pypdf

    cap = limits.max_decompressed_bytes
    pypdf.overwrite_configuration(
        maximum_declared_stream_length=cap,
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=cap,
        page_tree_maximum_entries=limits.max_pages * 4,
        page_tree_maximum_page_entries=limits.max_pages * 64,
        disable_legacy_handling=True,
    )


def read_text_layer(data: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> str:
    """Read the text layer in this process, stopping at the page, byte and character limits.

    Time and memory are not limited here: call `pdf_to_text`, which runs this in a child.
    """
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    _configure_pypdf(limits)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("unreadable", "The PDF is encrypted.")
        catalog: Any = reader.trailer["/Root"]
        declared = catalog["/Pages"].get("/Count", 0)
        if isinstance(declared, int) and declared > limits.max_pages:
            raise _too_many_pages(limits)
        pages: list[str] = []
        chars = 0
        decompressed = 0
        for number, page in enumerate(reader.pages, start=1):
            if number > limits.max_pages:
                raise _too_many_pages(limits)
            contents = page.get_contents()
            decompressed += len(contents.get_data()) if contents is not None else 0
            if decompressed > limits.max_decompressed_bytes:
                raise ExtractionError(
                    "too_large",
                    f"The PDF's pages hold more than {limits.max_decompressed_bytes} bytes "
                    "of content once decompressed.",
                )
            text = page.extract_text() or ""
            chars += len(text)
            if chars > limits.max_chars:
                raise ExtractionError(
                    "too_large", f"The PDF holds more than {limits.max_chars} characters of text."
                )
            pages.append(text)
    except LimitReachedError as exc:
        raise ExtractionError("too_large", f"The PDF is beyond a reading limit: {exc}") from exc
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ExtractionError("unreadable", f"The PDF cannot be read: {exc}") from exc
    return "\n\n".join(pages)


def _too_many_pages(limits: PdfLimits) -> ExtractionError:
    return ExtractionError("too_large", f"The PDF has more than {limits.max_pages} pages.")


if __name__ == "__main__":
    _main(sys.argv)
