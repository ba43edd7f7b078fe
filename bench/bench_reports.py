"""Assessment report rendering: a PIPIA PDF beside weasyprint on static HTML of the same size.

The baseline is the same report's HTML written to a file once and rendered by weasyprint with
the same locked-down fetcher, so the ratio measures what building the document and templating
add to weasyprint's own work. Inputs (review, catalog vendor record, the engine's evaluation)
are prepared before timing, as a stored review holds them. Cold = first render in a fresh
process, imports included; warm = median of interleaved renders in one process. Memory:
tracemalloc peak of one warm render, and the peak RSS (VmHWM) of each cold process.

    python bench/bench_reports.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "documents_sample.json"


def prepare_inputs() -> dict[str, Any]:
    """The sample review (golden scenario jus-firebase-global), its vendor and evaluation."""
    import vendor_data
    from assessments.catalog.reference import default_reference
    from assessments.engine import evaluate
    from assessments.rules.loader import default_rules
    from assessments.transfers import apply_vendor_defaults, evaluation_to_dict, parse_transfer
    from assessments.yamlio import safe_load

    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    vendor_file = vendor_data.DATA_DIR / "vendors" / f"{data['vendor']}.yaml"
    vendor = safe_load(vendor_file.read_text(encoding="utf-8"))
    review = data["review"]
    reference = default_reference()
    transfer = parse_transfer(
        apply_vendor_defaults(review["transfer"], vendor),
        today=date(2026, 11, 22),
        reference=reference,
    )
    evaluation = evaluation_to_dict(evaluate(transfer, default_rules(), reference))
    return {"review": review, "vendor": vendor, "evaluation": evaluation}


def render_ours(inputs: dict[str, Any]) -> bytes:
    """What the service does per request: build the PIPIA and its checklists, render the PDF."""
    from assessments.documents import build_assessment, build_checklists
    from service.reports.rendering import render_pdf

    review, vendor, evaluation = inputs["review"], inputs["vendor"], inputs["evaluation"]
    document = build_assessment("pipia", review, evaluation, vendor)
    document["checklists"] = build_checklists(evaluation, review, vendor)
    return render_pdf(document)


def render_static(path: str) -> bytes:
    """weasyprint alone on a static HTML file, with the same fetcher."""
    from service.reports.fetcher import HTML, AssetOnlyFetcher

    html = HTML(filename=path, base_url="xborder-asset:", url_fetcher=AssetOnlyFetcher())
    pdf = html.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
inputs = json.load(open({inputs!r}, encoding="utf-8"))
start = time.perf_counter()
import bench.bench_reports as bench
bench.render_ours(inputs) if {which!r} == "ours" else bench.render_static({html!r})
seconds = time.perf_counter() - start
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(seconds, hwm)
"""


def cold(which: str, inputs_path: str, html_path: str) -> dict[str, float]:
    """Seconds for the first render in a fresh interpreter, and that process's peak RSS (MiB)."""
    code = _CHILD.format(root=str(ROOT), inputs=inputs_path, which=which, html=html_path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, hwm_kib = out.stdout.split()
    return {"seconds": float(seconds), "peak_rss_mib": int(hwm_kib) / 1024}


def warm(renders: dict[str, Callable[[], bytes]], repeat: int) -> dict[str, dict[str, float]]:
    """Interleaved timings after one warm-up each: median, min, and tracemalloc peak (MiB)."""
    times: dict[str, list[float]] = {name: [] for name in renders}
    for fn in renders.values():
        fn()
    for _ in range(repeat):
        for name, fn in renders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    result = {}
    for name, fn in renders.items():
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[name] = {
            "median": statistics.median(times[name]),
            "min": min(times[name]),
            "peak_mib": peak / 2**20,
        }
    return result


def main() -> None:
    """Run both renderers cold and warm and print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from pypdf import PdfReader

    from assessments.documents import build_assessment, build_checklists
    from service.reports.rendering import render_html

    inputs = prepare_inputs()
    document = build_assessment("pipia", inputs["review"], inputs["evaluation"], inputs["vendor"])
    document["checklists"] = build_checklists(
        inputs["evaluation"], inputs["review"], inputs["vendor"]
    )
    html = render_html(document, for_pdf=True)
    with tempfile.TemporaryDirectory() as tmp:
        html_path, inputs_path = f"{tmp}/report.html", f"{tmp}/inputs.json"
        Path(html_path).write_text(html, encoding="utf-8")
        Path(inputs_path).write_text(json.dumps(inputs, default=str), encoding="utf-8")
        result: dict[str, Any] = {
            "pages": len(PdfReader(io.BytesIO(render_ours(inputs))).pages),
            "static_pages": len(PdfReader(io.BytesIO(render_static(html_path))).pages),
            "html_bytes": len(html.encode()),
            "cold": {
                "ours": cold("ours", inputs_path, html_path),
                "static": cold("static", inputs_path, html_path),
            },
            "warm": warm(
                {"ours": lambda: render_ours(inputs), "static": lambda: render_static(html_path)},
                args.repeat,
            ),
            "python": sys.version.split()[0],
        }
    result["ratio_warm"] = result["warm"]["ours"]["median"] / result["warm"]["static"]["median"]
    result["ratio_cold"] = result["cold"]["ours"]["seconds"] / result["cold"]["static"]["seconds"]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
