"""The LLM back end: any OpenAI-compatible endpoint, tool calling over the read-only tools.

The openai SDK is imported here, lazily, only when this back end is configured. The model
sees the system prompt and tool descriptions from prompts/llm/, and every tool result wrapped
as delimited data; the loop is bounded by a number of steps and one deadline. If the endpoint
fails, times out or answers unusably, the offline back end answers instead and says so.
Citations come only from the tool results the model received.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from service.assistant.interfaces import (
    Answer,
    AskContext,
    Assistant,
    Citation,
    Event,
    unique_citations,
)
from service.assistant.templates import render
from service.assistant.tools.base import Tool, ToolContext, ToolError, tool_context
from service.assistant.tools.registry import all_tools, run_tool
from service.models import utcnow

NAME = "llm"
MAX_STEPS = 6
MAX_TOOL_CALLS_PER_STEP = 8
MAX_TOOL_RESULT_CHARS = 24_000
DATA_TAG = "registry-data"
log = logging.getLogger(__name__)


class LlmUnavailable(Exception):
    """The endpoint failed, timed out or answered unusably; reason is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Call:
    """A tool call as it arrives in stream chunks (arguments come in pieces)."""

    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class _Step:
    """What the model produced in one round: text and/or tool calls."""

    text: list[str] = field(default_factory=list)
    calls: dict[int, _Call] = field(default_factory=dict)


def wrap_data(tool: str, data: Mapping[str, Any]) -> str:
    """A tool result as delimited data: JSON inside <registry-data>, the closing tag escaped."""
    payload = json.dumps(data, ensure_ascii=False, default=str)
    if len(payload) > MAX_TOOL_RESULT_CHARS:
        payload = json.dumps(
            {"truncated": True, "note": "The result was too long; ask a narrower question."}
        )
    # "<\/" is the same JSON string as "</", so no registry text can close the block.
    payload = payload.replace("</", "<\\/")
    return render("llm/tool_result.md.j2", tag=DATA_TAG, tool=tool, payload=payload)


class LlmAssistant:
    """Answers with a model through tool calls; falls back to the offline assistant."""

    name = NAME

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        fallback: Assistant,
        max_steps: int = MAX_STEPS,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.fallback = fallback
        self.max_steps = max_steps

    def __repr__(self) -> str:
        return f"LlmAssistant(base_url={self.base_url!r}, model={self.model!r})"

    def answer(self, question: str, context: AskContext) -> Answer:
        """The streamed answer, collected."""
        for event in self.stream(question, context):
            if event.kind == "done" and event.answer is not None:
                return event.answer
        raise RuntimeError("the assistant's stream ended without an answer")

    def stream(self, question: str, context: AskContext) -> Iterator[Event]:
        """Stream the model's answer; on failure, a notice and the offline answer."""
        try:
            yield from self._run(question, context)
        except LlmUnavailable as exc:
            reason = self._redact(exc.reason)
            log.warning("LLM endpoint unusable (%s); answering offline", reason)
            notice = render("answers/fallback.md.j2", reason=reason)
            yield Event("notice", notice)
            for event in self.fallback.stream(question, context):
                if event.kind == "done" and event.answer is not None:
                    answer = event.answer
                    yield Event(
                        "done",
                        answer=replace(answer, text=f"{notice}\n\n{answer.text}", notice=notice),
                    )
                elif event.kind == "delta":
                    yield event

    # ------------------------------------------------------------------------ internals

    def _redact(self, text: str) -> str:
        if self._api_key:
            text = text.replace(self._api_key, "[redacted]")
        return text

    def _client(self) -> Any:
        try:
            import openai
        except ImportError as exc:  # the dependency is declared; a broken install still answers
            raise LlmUnavailable("the openai package is not installed") from exc
        return openai.OpenAI(
            base_url=self.base_url,
            api_key=self._api_key or "not-needed",
            timeout=self.timeout,
            max_retries=0,
        )

    def _tool_specs(self, tools: list[Tool], ctx: ToolContext) -> list[dict[str, Any]]:
        return [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": render(f"llm/tools/{tool.name}.md.j2", role=ctx.asker.role),
                    "parameters": tool.parameters,
                },
            }
            for tool in tools
        ]

    def _run(self, question: str, context: AskContext) -> Iterator[Event]:
        ctx = tool_context(context.session, context.asker, utcnow().date())
        tools = all_tools(ctx.reference)
        specs = self._tool_specs(tools, ctx)
        messages: list[dict[str, Any]] = [
            {
                "role": "system",
                "content": render(
                    "llm/system.md.j2",
                    today=ctx.today.isoformat(),
                    role=ctx.asker.role,
                    tools=[t.name for t in tools],
                    tag=DATA_TAG,
                ),
            },
            *({"role": t.role, "content": t.content} for t in context.history),
            {"role": "user", "content": question},
        ]
        client = self._client()
        openai_errors = _openai_errors()
        deadline = time.monotonic() + self.timeout
        citations: list[Citation] = []
        for _ in range(self.max_steps):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LlmUnavailable("the model did not answer in time")
            step = _Step()
            try:
                stream = client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    tools=specs,
                    stream=True,
                    temperature=0,
                    timeout=remaining,
                )
                for chunk in stream:
                    if time.monotonic() > deadline:
                        raise LlmUnavailable("the model did not answer in time")
                    text = _absorb(chunk, step)
                    if text:
                        yield Event("delta", text)
            except LlmUnavailable:
                raise
            except openai_errors as exc:
                raise LlmUnavailable(_describe(exc)) from exc
            except Exception as exc:  # the HTTP client's own errors while reading the stream
                raise LlmUnavailable("the endpoint's response could not be read") from exc
            if not step.calls:
                text = "".join(step.text).strip()
                if not text:
                    raise LlmUnavailable("the model sent an empty answer")
                yield Event("done", answer=Answer(text, unique_citations(citations), NAME))
                return
            for index, call in step.calls.items():
                call.id = call.id or f"call_{index}"
            messages.append(_assistant_message(step))
            for call in list(step.calls.values())[:MAX_TOOL_CALLS_PER_STEP]:
                content, found = self._call_tool(tools, ctx, call)
                citations.extend(found)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        raise LlmUnavailable(f"the model did not finish within {self.max_steps} tool steps")

    def _call_tool(
        self, tools: list[Tool], ctx: ToolContext, call: _Call
    ) -> tuple[str, tuple[Citation, ...]]:
        """Run one tool call; errors go back to the model as data, never as instructions."""
        try:
            arguments = json.loads(call.arguments or "{}")
            if not isinstance(arguments, dict):
                raise ToolError("arguments must be a JSON object")
            result = run_tool(tools, ctx, call.name, arguments)
        except json.JSONDecodeError:
            return wrap_data(call.name, {"error": "the arguments are not valid JSON"}), ()
        except ToolError as exc:
            return wrap_data(call.name, {"error": str(exc)}), ()
        return wrap_data(call.name, result.data), result.citations


def _openai_errors() -> tuple[type[BaseException], ...]:
    import openai

    return (openai.OpenAIError,)


def _describe(exc: BaseException) -> str:
    """A short reason without the server's text (which could echo secrets)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "the endpoint timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "the endpoint could not be reached"
    if isinstance(exc, openai.APIStatusError):
        return f"the endpoint answered with HTTP {exc.status_code}"
    return "the endpoint failed"


def _absorb(chunk: Any, step: _Step) -> str:
    """Add one stream chunk to the step; the text it carries, if any."""
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return ""
    delta = choices[0].delta
    for piece in getattr(delta, "tool_calls", None) or []:
        call = step.calls.setdefault(int(piece.index or 0), _Call())
        if piece.id:
            call.id = piece.id
        function = piece.function
        if function is not None:
            if function.name:
                call.name += function.name
            if function.arguments:
                call.arguments += function.arguments
    text = getattr(delta, "content", None) or ""
    if text:
        step.text.append(text)
    return str(text)


def _assistant_message(step: _Step) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": "".join(step.text) or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in step.calls.values()
        ],
    }
