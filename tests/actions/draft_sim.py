"""Parents talking to the draft builder through Rasa's own message processor: the
trained model's rules (data/rules/) and forms decide which action runs, the real
actions run on a real database, and Rasa turns their responses into messages. Only
NLU is given (intent + confidence per message), so each test says exactly what the
classifier is assumed to have said; tests/server/ runs the same with real NLU.

The actions run in this process (rasa-sdk's own executor, fed the JSON Rasa would
post to the action server) so each test can give them its own database.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from actions.draft_form import FORM
from bot.server import patches
from tests.conftest import MODEL


class InProcessActions(EndpointConfig):
    """The action endpoint, answered by rasa-sdk's executor in this process: the same
    JSON in and out as bot.action_server, errors mapped as its webhook maps them."""

    def __init__(self) -> None:
        super().__init__(url="in-process://actions/webhook")
        self.executor = ActionExecutor()
        self.executor.register_package("actions")
        self.errors: list[BaseException] = []

    async def request(
        self,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        call = json.loads(json.dumps(kwargs["json"]))
        try:
            result = await self.executor.run(call)
        except ActionExecutionRejection as error:
            raise ClientResponseError(
                400,
                "Bad Request",
                json.dumps({"error": error.message, "action_name": error.action_name}),
            ) from error
        except ActionNotFoundException as error:
            raise ClientResponseError(
                404,
                "Not Found",
                json.dumps({"error": error.message, "action_name": error.action_name}),
            ) from error
        except Exception as error:  # Rasa would log it and go on; the test must fail
            self.errors.append(error)
            raise ClientResponseError(500, "Internal Server Error", repr(error)) from error
        return json.loads(json.dumps(result))


_agent: Agent | None = None


def agent() -> Agent:
    """The trained model, loaded once per test run."""
    global _agent
    if _agent is None:
        if not MODEL.exists():
            pytest.fail(f"No trained model at {MODEL}: run `make test` (it trains first).")
        patches.apply()  # as in every `rasa run` here (the tracker store applies them)
        _agent = Agent.load(MODEL, action_endpoint=InProcessActions())
    return _agent


class Parent:
    """One conversation (one sender id)."""

    def __init__(self, sender: str | None = None):
        self.sender = sender or uuid.uuid4().hex
        self.slots: dict[str, Any] = {}
        self.form_active = False
        self.transcript: list[str] = []
        self.last_messages: list[dict[str, Any]] = []

    async def say(
        self,
        text: str,
        intent: str = "share_about_child",
        confidence: float = 0.9,
        ranking: list | None = None,
    ) -> str:
        """One message; returns everything the bot said, joined. `ranking` is
        NLU's intent_ranking (e.g. the real guesses behind an nlu_fallback)."""
        bot = agent()
        endpoint: InProcessActions = bot.action_endpoint
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [],
            "entities": [],
        }
        output = CollectingOutputChannel()
        failed = len(endpoint.errors)
        await bot.processor.handle_message(UserMessage(text, output, self.sender, parse_data=parse))
        if len(endpoint.errors) > failed:
            raise endpoint.errors[-1]
        tracker = await bot.tracker_store.retrieve(self.sender)
        self.slots = tracker.current_slot_values()
        self.form_active = tracker.active_loop_name == FORM
        self.last_messages = output.messages
        said = [m.get("text") or "" for m in output.messages]
        self.transcript += said
        return "\n".join(said)

    async def start(self) -> str:
        return await self.say("help me write my vision statement", "start_draft", 0.98)

    async def complete(self, name: str = "Maya", age: str = "9", marker: str = "") -> str:
        """The whole flow with sensible answers; returns the closing messages."""
        await self.start()
        await self.say(name, "child_details")
        await self.say(age, "child_details")
        await self.say(f"She loves horses and drawing {marker}".strip())
        await self.say(f"A calm routine and a visual schedule {marker}".strip())
        await self.say(f"She eats lunch alone most days {marker}".strip())
        await self.say(f"Social skills help at lunch {marker}".strip())
        await self.say("that's all", "draft_done", 0.95)
        await self.say(f"She has a friend to sit with at lunch {marker}".strip())
        await self.say(f"In middle school with friends and a club she likes {marker}".strip())
        while self.step in ("student_after", "student_living"):  # 14 and older
            await self.say(f"I want to work with animals {marker}".strip())
        assert self.step == "review", self.step
        return await self.say("looks good", "draft_done", 0.95)

    @property
    def step(self) -> str | None:
        return self.slots.get("draft_step")
