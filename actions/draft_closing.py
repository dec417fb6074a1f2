"""The closing words of a draft (bot/draft/closing.py), said through a dispatcher by
the actions outside the form (action_pause_draft, action_delete_draft); inside the form
bot/draft/flow.py says them in the turn the form ends."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from bot.content import DEFAULT_LANGUAGE
from bot.draft import closing


def say_paused(
    dispatcher: CollectingDispatcher, code: str | None, lang: str = DEFAULT_LANGUAGE
) -> None:
    dispatcher.utter_message(**closing.paused(True, code, lang))


def say_deleted(dispatcher: CollectingDispatcher, lang: str = DEFAULT_LANGUAGE) -> None:
    dispatcher.utter_message(**closing.deleted(lang))
