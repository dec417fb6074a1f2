"""What the website tells the bot about itself.

The embed snippet (bot/web/static/embed.js) sends page data with every message as
rasa-webchat's `customData`; credentials.yml (`metadata_key: customData`) makes Rasa
store it as the message's metadata. A parent-center site sets its state there, e.g.
IEPGuide.init({botUrl: ..., state: "Massachusetts"}).
"""

from __future__ import annotations

from rasa_sdk import Tracker


def site_state(tracker: Tracker) -> str | None:
    """The state the website says it serves, as the site wrote it (not yet checked)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    state = metadata.get("state") if isinstance(metadata, dict) else None
    return state if isinstance(state, str) else None
