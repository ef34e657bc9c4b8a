"""Slack's Block Kit limits, checked the way Slack checks them.

Each problem reads like the line Slack puts in its error answer,
`"must be less than 3001 characters [json-pointer:/blocks/0/text/text]"`, so a failing
builder test says what Slack would have said. Slack itself answers a message with
`invalid_blocks` (and `msg_too_long` for its `text`) and a view with `invalid_arguments`;
the fake Web API does the same with these lines.

Only size limits and a few structural rules that bite in practice are checked: this is not
the full Block Kit schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_LABEL_TEXT = 2000
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON_TEXT = 24
MAX_PRIVATE_METADATA = 3000

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)


def check_message(payload: Mapping[str, Any]) -> list[str]:
    """Problems Slack would find in a message (`chat.postMessage`/`update`/`postEphemeral`)."""
    problems = _too_long(payload.get("text"), MAX_MESSAGE_TEXT, "/text")
    return problems + check_blocks(payload.get("blocks"), max_blocks=MAX_MESSAGE_BLOCKS)


def check_view(view: Mapping[str, Any]) -> list[str]:
    """Problems Slack would find in a modal or Home tab view (`views.*`)."""
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"unsupported type: {kind} [json-pointer:/view/type]"]
    problems = [
        *_too_long(view.get("private_metadata"), MAX_PRIVATE_METADATA, "/view/private_metadata"),
        *_too_long(view.get("callback_id"), MAX_ID, "/view/callback_id"),
        *_too_long(view.get("external_id"), MAX_ID, "/view/external_id"),
    ]
    if kind == "modal":
        problems += _check_modal_frame(view)
    return problems + check_blocks(
        view.get("blocks"), max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks"
    )


def check_blocks(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Problems in a list of blocks; `pointer` is where the list sits in the request."""
    if blocks is None:
        return []
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    problems = _too_many(blocks, max_blocks, pointer)
    for index, block in enumerate(blocks):
        problems += _check_block(block, f"{pointer}/{index}")
    return problems


def _check_modal_frame(view: Mapping[str, Any]) -> list[str]:
    if not isinstance(view.get("title"), Mapping):
        return ["missing required field: title [json-pointer:/view]"]
    problems = _text_too_long(view.get("title"), MAX_MODAL_TITLE, "/view/title")
    for button in ("submit", "close"):
        problems += _text_too_long(view.get(button), MAX_MODAL_BUTTON_TEXT, f"/view/{button}")
    if not view.get("submit"):
        # Slack refuses a modal with inputs it could never submit.
        for index, block in enumerate(view.get("blocks") or []):
            if isinstance(block, Mapping) and block.get("type") == "input":
                problems.append(
                    "must define `submit` to use an `input` block in modals "
                    f"[json-pointer:/view/blocks/{index}/input]"
                )
    return problems


def _check_block(block: Any, pointer: str) -> list[str]:
    if not isinstance(block, Mapping):
        return [f"must be an object [json-pointer:{pointer}]"]
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return [f"unsupported type: {kind} [json-pointer:{pointer}/type]"]
    problems = _too_long(block.get("block_id"), MAX_ID, f"{pointer}/block_id")
    check = _BLOCK_CHECKS.get(kind)
    return problems + check(block, pointer) if check else problems


def _check_section(block: Mapping[str, Any], pointer: str) -> list[str]:
    problems = _text_too_long(block.get("text"), MAX_SECTION_TEXT, f"{pointer}/text")
    fields = block.get("fields") or []
    problems += _too_many(fields, MAX_SECTION_FIELDS, f"{pointer}/fields")
    for index, field in enumerate(fields):
        problems += _text_too_long(field, MAX_FIELD_TEXT, f"{pointer}/fields/{index}")
    if "accessory" in block:
        problems += _check_element(block["accessory"], f"{pointer}/accessory")
    return problems


def _check_header(block: Mapping[str, Any], pointer: str) -> list[str]:
    return _text_too_long(block.get("text"), MAX_HEADER_TEXT, f"{pointer}/text")


def _check_actions(block: Mapping[str, Any], pointer: str) -> list[str]:
    elements = block.get("elements") or []
    problems = _too_many(elements, MAX_ACTIONS_ELEMENTS, f"{pointer}/elements")
    for index, element in enumerate(elements):
        problems += _check_element(element, f"{pointer}/elements/{index}")
    return problems


def _check_context(block: Mapping[str, Any], pointer: str) -> list[str]:
    return _too_many(block.get("elements") or [], MAX_CONTEXT_ELEMENTS, f"{pointer}/elements")


def _check_input(block: Mapping[str, Any], pointer: str) -> list[str]:
    problems = _text_too_long(block.get("label"), MAX_LABEL_TEXT, f"{pointer}/label")
    problems += _text_too_long(block.get("hint"), MAX_LABEL_TEXT, f"{pointer}/hint")
    if "element" in block:
        problems += _check_element(block["element"], f"{pointer}/element")
    return problems


_BLOCK_CHECKS = {
    "actions": _check_actions,
    "context": _check_context,
    "header": _check_header,
    "input": _check_input,
    "section": _check_section,
}


def _check_element(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, Mapping):
        return [f"must be an object [json-pointer:{pointer}]"]
    problems = _too_long(element.get("action_id"), MAX_ID, f"{pointer}/action_id")
    if element.get("type") == "button":
        problems += _text_too_long(element.get("text"), MAX_BUTTON_TEXT, f"{pointer}/text")
        problems += _too_long(element.get("value"), MAX_BUTTON_VALUE, f"{pointer}/value")
        problems += _too_long(element.get("url"), MAX_URL, f"{pointer}/url")
    return problems


def _text_too_long(text_object: Any, limit: int, pointer: str) -> list[str]:
    """Limits on a text object apply to its `text`, and Slack points there."""
    if not isinstance(text_object, Mapping):
        return []
    return _too_long(text_object.get("text"), limit, f"{pointer}/text")


def _too_long(value: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _too_many(items: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    return []
