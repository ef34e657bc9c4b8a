"""Files for one person: a chart or an export goes to their direct conversation with the
bot, since a file cannot be ephemeral and a report may hold personal data.

Slack's upload is three steps (`files.getUploadURLExternal`, the bytes to the URL it gives,
`files.completeUploadExternal` into the conversation), which `files_upload_v2` takes; the
files of one request are shared as one message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slack_sdk import WebClient


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    title: str
    alt_text: str | None = None  # what an image shows, for screen readers


def send_privately(
    client: WebClient, *, user_id: str, attachments: Sequence[Attachment], comment: str
) -> str:
    """Share `attachments` in the bot's direct conversation with `user_id`, under `comment`;
    the conversation's id. Slack's errors are raised as the client raises them."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    uploads = []
    for attachment in attachments:
        upload = {
            "filename": attachment.filename,
            "content": attachment.content,
            "title": attachment.title,
        }
        if attachment.alt_text:
            upload["alt_txt"] = attachment.alt_text[:ALT_TEXT_MAX]
        uploads.append(upload)
    client.files_upload_v2(channel=channel, file_uploads=uploads, initial_comment=comment)
    return channel


ALT_TEXT_MAX = 1000  # characters Slack keeps of an image's description
