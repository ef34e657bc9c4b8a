"""A Block Kit message as plain text, for the terminal: what the card would show in Slack."""

from __future__ import annotations

import re
import textwrap
from typing import Any

WIDTH = 78
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]+))?>")


def message_as_text(message: dict[str, Any], *, width: int = WIDTH) -> str:
    """The message's blocks as lines of text inside a frame: headers, sections and their
    fields, buttons as `[label]`, context lines."""
    lines: list[str] = []
    for block in message.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            lines.append(_plain(block["text"]["text"]).upper())
        elif kind == "section":
            if "text" in block:
                lines.extend(_wrap(_plain(block["text"]["text"]), width - 4))
            for field in block.get("fields", []):
                label, _, value = _plain(field["text"]).partition("\n")
                lines.extend(_wrap(f"{label}: {value}" if value else label, width - 4))
        elif kind == "actions":
            lines.extend(_wrap(" ".join(_control(e) for e in block["elements"]), width - 4))
        elif kind == "context":
            texts = [_plain(e.get("text", "")) for e in block["elements"]]
            lines.extend(_wrap(" ".join(texts), width - 4))
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    rule = "+" + "-" * (width - 2) + "+"
    return "\n".join([rule, *(f"| {line:<{width - 4}} |" for line in lines), rule])


def _plain(text: str) -> str:
    """mrkdwn as it reads: bold marks dropped, mentions as @name, escapes undone."""
    text = _MENTION.sub(lambda m: ("@" if m.group(1) == "@" else m.group(1)) + m.group(2), text)
    text = text.replace("*", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _control(element: dict) -> str:
    if element.get("type") == "overflow":
        return "[⋯]"
    label = _plain(element.get("text", {}).get("text", ""))
    return f"[{label} ↗]" if element.get("url") else f"[{label}]"


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines
