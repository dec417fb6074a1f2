"""What the bot says when a draft stops: finished (with its download links), paused
(with its resume code) or deleted. validate_draft_form says it in the same turn the
form ends; action_pause_draft and action_delete_draft reuse the words outside it."""
from __future__ import annotations

from typing import Dict, Optional

from rasa_sdk.executor import CollectingDispatcher

from bot.settings import settings

DOCX_NAME = "iep-parent-input.docx"
TEXT_NAME = "iep-parent-input.txt"

PAUSED = ("Okay, let's stop here. Your draft is saved.\nTo come back any time, even on "
          "another device, start a chat and type: continue my draft **{code}**\n"
          "Keep this code private: it opens your draft.")
PAUSED_EMPTY = ("Okay, we'll stop here. Nothing was saved yet. Whenever you're ready, say "
                "“help me write my vision statement”.")
DELETED = ("Done. Your draft is deleted. Its resume code and download links no longer "
           "work.")
FINISHED = ("Your draft is ready! Download it here:\n"
            "[Word document (.docx)]({docx})\n"
            "[Plain text (.txt)]({txt}) to paste into an email")
NEXT_STEPS = ("Before the meeting, send it to the IEP team. Ask that it be included in the "
              "IEP word for word, and keep a copy for yourself. The links are private to "
              "you. To change the draft later, say “continue my draft {code}”.")


def download_links(secret: str) -> Dict[str, str]:
    base = f"{settings().public_url}/drafts/{secret}"
    return {"docx": f"{base}/{DOCX_NAME}", "txt": f"{base}/{TEXT_NAME}"}


def say_finished(dispatcher: CollectingDispatcher, secret: str, code: Optional[str]) -> None:
    dispatcher.utter_message(text=FINISHED.format(**download_links(secret)))
    dispatcher.utter_message(text=NEXT_STEPS.format(code=code))


def say_paused(dispatcher: CollectingDispatcher, saved: bool, code: Optional[str]) -> None:
    dispatcher.utter_message(text=PAUSED.format(code=code) if saved and code
                             else PAUSED_EMPTY)
