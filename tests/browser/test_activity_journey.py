"""In a real browser: procurement scans a seed privacy policy (JusTalk's, in Polish), files
the activity with one review per ticked SDK, then asks the assistant about it in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Page = Any
SEED = "003_d504d64d58fed2ef.txt"  # Jus / JusTalk, Ningbo: Umeng+, Firebase, AdMob, MobTech...


def test_scan_a_seed_policy_file_the_activity_and_ask_in_chinese(
    page_as: Callable[..., Page],
    shoot: Callable[[Page, str], Path],
    shared_dir: Path,
) -> None:
    policy = shared_dir / "seeds" / SEED
    if not policy.exists():
        pytest.skip(f"seed policy {SEED} is absent")
    page = page_as("procurement")
    page.get_by_role("link", name="Activities", exact=True).click()
    page.get_by_role("link", name="Scan a privacy policy").click()
    page.locator('input[type="file"][name="file"]').set_input_files(str(policy))
    page.get_by_role("button", name="Scan", exact=True).click()
    page.locator("#policy-text mark.scan-vendor").first.wait_for()
    marked = {m.get_attribute("title") for m in page.locator("mark.scan-vendor").all()}
    assert any("Umeng" in (t or "") for t in marked), marked
    assert any("Firebase" in (t or "") for t in marked), marked
    shoot(page, "20-scan-findings")

    form = page.locator("#file-form")
    for slug in ("umeng", "firebase"):
        assert form.locator(f'input[name="vendors"][value="{slug}"]').is_checked()
    page.get_by_label("Activity name").fill("JusTalk app")
    page.get_by_label("Exporter (legal entity)").fill("Ningbo Jus Internet Technology")
    page.get_by_label("Exporter country").select_option("CN")
    form.locator('select[name="facts.data_subjects.0.jurisdiction"]').select_option("CN")
    form.locator('input[name="facts.data_subjects.0.count"]').fill("2,000,000")
    shoot(page, "21-scan-file-form")
    page.get_by_role("button", name="File the activity and its reviews").click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert "JusTalk app" in page.locator("h1").inner_text()
    heat = page.locator("table.heatmap").inner_text()
    assert "Umeng" in heat and "Firebase" in heat
    shoot(page, "22-activity")

    page.get_by_role("link", name="Assistant", exact=True).click()
    page.get_by_label("Your question").fill("我们的供应商中哪些总部在中国？")
    page.get_by_role("button", name="Ask").click()
    citation = page.locator(".citations a", has_text=re.compile("Umeng", re.I)).first
    citation.wait_for()
    answer = page.locator(".message-assistant .answer").last.inner_text()
    assert "Umeng" in answer
    assert "Alipay" not in answer  # a Chinese catalog vendor the company does not use
    shoot(page, "23-assistant-our-vendors-zh")

    page.get_by_label("Your question").fill("向Firebase发送两百万中国用户的设备ID需要什么？")
    page.get_by_role("button", name="Ask").click()
    page.locator(".message-assistant .answer").nth(1).wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('.message-assistant .answer').length >= 2 && "
        "document.querySelectorAll('.message-assistant .answer')[1].innerText.includes('引擎')"
    )
    answer = page.locator(".message-assistant .answer").nth(1).inner_text()
    assert "数据出境安全评估" in answer and "2,000,000" in answer
    shoot(page, "24-assistant-transfer-zh")
