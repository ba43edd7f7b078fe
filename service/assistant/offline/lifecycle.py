"""Offline answers about the lifecycle records: what is overdue, what changed since a day.

Both answer in the question's language (Simplified Chinese for a Chinese question) from the
same tools the LLM back end calls (tools/lifecycle.py), citing the reviews they draw on.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from assessments.documents._data import labels
from service.assistant.interfaces import Citation
from service.assistant.names import RegistryNames
from service.assistant.templates import render
from service.assistant.tools.base import ToolContext
from service.assistant.tools.lifecycle import list_changes_since, list_overdue, month_before
from service.assistant.understanding import Question

# Deadline kinds (lifecycle.deadlines.review_deadlines keys) in Chinese; English uses the title.
DEADLINE_ZH = {
    "renewal": "审查到期复核",
    "cac_extension_window": "网信办安全评估延期申请窗口",
    "cac_expiry": "网信办安全评估结果到期",
    "sc_filing": "标准合同备案（10 个工作日内）",
    "doj_audit": "美国司法部数据合规年度独立审计",
    "doj_certification": "美国司法部数据合规年度认证",
    "ccpa_risk_assessment": "CCPA 风险评估复核",
}

_DAYS = re.compile(r"\b(?:last|past) (\d{1,3}) days\b|(?:过去|最近|近)\s*(\d{1,3})\s*天", re.I)
_WEEK = re.compile(r"\b(?:last|past) week\b|上周|上个星期|过去一周", re.I)
_YEAR = re.compile(r"\b(?:last|past) year\b|去年|过去一年", re.I)


def since_day(text: str, today: date) -> date:
    """The day a "what changed since ..." question starts from: a month ago unless it says a
    number of days, a week or a year."""
    days = _DAYS.search(text)
    if days:
        return today - timedelta(days=int(days.group(1) or days.group(2)))
    if _WEEK.search(text):
        return today - timedelta(days=7)
    if _YEAR.search(text):
        return today - timedelta(days=365)
    return month_before(today)


def answer_overdue(
    q: Question, ctx: ToolContext, names: RegistryNames
) -> tuple[str, list[Citation]]:
    """Passed deadlines of open reviews and late open tasks."""
    result = list_overdue(ctx, {})
    language = q.language
    data = dict(result.data)
    if language == "zh":
        data["deadlines"] = [
            {**d, "title": DEADLINE_ZH.get(d["key"], d["title"])} for d in data["deadlines"]
        ]
    template = "answers/zh/overdue.md.j2" if language == "zh" else "answers/overdue.md.j2"
    return render(template, **_defaults(data)), list(result.citations)


def answer_changes(
    q: Question, ctx: ToolContext, names: RegistryNames
) -> tuple[str, list[Citation]]:
    """Verdict changes recorded since the day the question names (a month ago by default)."""
    result = list_changes_since(ctx, {"since": since_day(q.text, ctx.today).isoformat()})
    language = q.language
    words = labels(language)
    data = dict(result.data)
    data["changes"] = [
        {
            **c,
            "regimes": [
                {
                    "name": words["regime_names"].get(r["regime"], r["regime"]),
                    "before": _verdict(r["before"], words),
                    "after": _verdict(r["after"], words),
                }
                for r in c["regimes"]
            ],
        }
        for c in data["changes"]
    ]
    template = "answers/zh/changes.md.j2" if language == "zh" else "answers/changes.md.j2"
    return render(template, **_defaults(data)), list(result.citations)


def _verdict(value: dict[str, Any] | None, words: dict[str, Any]) -> str:
    if not value:
        return "—"
    verdict = words["verdict_values"].get(value.get("verdict"), value.get("verdict"))
    mechanism = value.get("mechanism")
    if mechanism:
        return f"{verdict} ({words['mechanism_values'].get(mechanism, mechanism)})"
    return str(verdict)


def _defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Every key the templates read, also when the asker may not read reviews."""
    return {"tasks": [], "tasks_scope": "yours", "total": 0, "since": "", "today": "", **data}
