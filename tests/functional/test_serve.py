"""A newcomer's first start: `xborder serve` on a fresh data directory, as README says."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import build_pdf


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture(scope="module")
def served_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the module's server keeps its data and its log."""
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def served(served_dir: Path) -> Iterator[tuple[str, str]]:
    """`xborder serve` (gunicorn, one worker) on a fresh SQLite data dir: base URL and token.
    One server for the module: its first start (migrations, the catalog) is most of a test."""
    xborder = shutil.which("xborder", path=str(Path(sys.executable).parent))
    if xborder is None:
        pytest.skip("the xborder console script is not installed in this environment")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XBORDER_", "DATABASE_URL"))}
    log = (served_dir / "serve.log").open("w+")
    server = subprocess.Popen(
        [
            xborder,
            "--data-dir",
            str(served_dir / "data"),
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the server did not become ready:\n" + Path(log.name).read_text())
        output = Path(log.name).read_text()
        token = next(
            line.split("API token:")[1].strip()
            for line in output.splitlines()
            if "API token:" in line
        )
        yield base, token
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_first_start_serves_the_catalog_and_prints_admin_credentials_once(
    served: tuple[str, str], served_dir: Path
) -> None:
    base, token = served
    status, page = _get(f"{base}/api/v1/vendors?q=Umeng%2B", token)
    assert status == 200
    assert page["items"][0]["slug"] == "umeng"  # type: ignore[index]
    status, listing = _get(f"{base}/api/v1/vendors?per_page=1", token)
    assert listing["total"] >= 200  # type: ignore[operator]
    output = (served_dir / "serve.log").read_text()
    assert output.count(token) == 1
    assert (served_dir / "data" / "xborder.sqlite3").exists()


def _post_pdf(url: str, token: str, pdf: bytes) -> tuple[int, str, dict[str, object]]:
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    form = {"file": FileStorage(io.BytesIO(pdf), "p.pdf", content_type="application/pdf")}
    body, _, boundary = stream_encode_multipart(form, use_tempfile=False)
    request = urllib.request.Request(url, data=body.read(), method="POST")
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get_content_type(), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), json.loads(error.read())


def test_hostile_pdfs_do_not_hold_the_server(served: tuple[str, str]) -> None:
    """Two hostile PDFs at once get problems; /healthz answers while they are being read."""
    base, token = served
    sixty_million = b"BT /F1 12 Tf (" + b"A" * 60_000_000 + b") Tj ET"
    hostile = [
        build_pdf([], content=sixty_million, flate=True),
        build_pdf(["Firebase " * 20] * 40, pages=900),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        url = f"{base}/api/v1/policies/scan"
        uploads = [pool.submit(_post_pdf, url, token, pdf) for pdf in hostile]
        health = []
        while not all(u.done() for u in uploads):
            health.append(_get(f"{base}/healthz"))
        results = [u.result() for u in uploads]
    assert health and all(status == 200 for status, _ in health)
    for status, content_type, body in results:
        assert status in {413, 422} and content_type == "application/problem+json", body
