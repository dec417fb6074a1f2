"""Per-message costs in Rasa 3.6 that a profile of our server under load shows
(py-spy, `make bench`), removed without changing behaviour:

- Every custom-action reply is checked with `jsonschema.validate`, which re-validates
  the schema itself on every call (~10% of server CPU), then tries each event against
  all 23 event schemas. We build the validators once and try only the event's own.
- Every stored event is turned back into an object via `Event.resolve_by_type`, which
  walks all Event subclasses for each event (~7%). We look the class up in a table.
- Rasa runs the NLU pipeline inside its event loop, so while one message is being
  understood (~8 ms, half of it the sentence model) no other parent's turn moves. We run
  it on one helper thread: ONNX Runtime and NumPy release the GIL, so the sentence model
  uses the second core while the loop handles other turns. One thread keeps the NLU
  components as single-threaded as Rasa ran them.
- `Domain.is_empty` builds a whole empty Domain to compare with, on every message
  (~9% of a draft turn). We compare with one built once.
- Every call to the action server carried the whole conversation's events (40 KB by
  the end of a draft), built and encoded as JSON on the event loop. Our actions read
  slots, the latest message and this turn's events only (see actions/__init__.py), so
  the call carries the events from the parent's latest message on.
- Every call to the action server opened a new HTTP client and TCP connection. One
  client per endpoint keeps connections alive (for 2 s, under the action server's 5 s,
  so a connection is never reused just as the server closes it).

One more is about correctness, not speed:
- When the tracker database fails, Rasa's FailSafeTrackerStore logs the error and goes
  on with an empty conversation kept in memory: after a PostgreSQL restart in the middle
  of a draft, the bot forgot the draft for good and greeted the parent as new. Here the
  error fails the turn instead: the parent gets the channel's apology (never silence),
  nothing is saved half-way, and the next turn reads the whole conversation again.

Nothing changes on import: apply() switches them on, called by the tracker store
(bot/server/tracker_store.py explains why there), refuses on any Rasa but the pinned
one, and logs which are active.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import aiohttp
import rasa
import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _action_result_validators() -> tuple[Any, dict[str, Any]]:
    """(validator for the reply with each event's shared fields only, {event type:
    validator for that type's own fields}).

    Rasa's schema says each event must match exactly one of 23 event schemas (`oneOf`),
    so jsonschema tries all 23 for every event. Each of those schemas pins `event` to a
    different constant, so only the one named by the event's own `event` can match:
    checking that one alone accepts and rejects exactly the same replies."""
    import copy

    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, instead of on every reply
    shared = copy.deepcopy(schema)
    item = shared["properties"]["events"]["items"]
    branches = item.pop("oneOf")
    by_type = {branch["properties"]["event"]["const"]: cls(branch) for branch in branches}
    assert len(by_type) == len(branches), "event schemas must be told apart by `event`"
    return cls(shared), by_type


_original_validate = RemoteAction._validate_action_result


def this_turns_events(tracker: DialogueStateTracker) -> list[Event]:
    """The events from the latest user message on (all of them if there is none)."""
    turn: list[Event] = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            return turn[::-1]
    return list(tracker.events)


def _action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's request to the action server, with this turn's events only."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in this_turns_events(tracker)]
    result = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = domain.as_dict()
    return result


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    shared, by_type = _action_result_validators()
    valid = shared.is_valid(result) and all(
        event["event"] in by_type and by_type[event["event"]].is_valid(event)
        for event in result.get("events") or []
    )
    if not valid:
        # Same error and message as Rasa's own check.
        return _original_validate(self, result)
    return True


_event_classes: dict[str, type[Event]] = {}


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    cls = _event_classes.get(type_name)
    if cls is None:
        # Refresh on a miss: event classes can be defined after the first lookup.
        for sub in rasa.shared.utils.common.all_subclasses(Event):
            _event_classes.setdefault(sub.type_name, sub)
        cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    return _original_resolve(type_name, default)


_original_resolve = Event.resolve_by_type


_nlu_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
_original_parse = MessageProcessor.parse_message


async def _parse_message(
    self: MessageProcessor,
    message: UserMessage,
    tracker: DialogueStateTracker | None = None,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    if self.http_interpreter:  # a remote NLU server: nothing runs here
        return await _original_parse(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _nlu_thread, self._parse_message_with_graph, message, tracker, only_output_properties
    )
    # The rest of Rasa's parse_message, less its debug log line (which deep-copies the
    # parent's text into the log record even when debug logging is off).
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


@lru_cache(maxsize=1)
def _empty_domain_dict() -> dict[str, Any]:
    return Domain.empty().as_dict()


def _is_empty(self: Domain) -> bool:
    return self.as_dict() == _empty_domain_dict()


class _KeptSession:
    """What `async with endpoint.session()` gets: the endpoint's client, left open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_: Any) -> None:
        return None


def _session(self: EndpointConfig) -> _KeptSession:
    loop = asyncio.get_running_loop()
    kept = getattr(self, "_iep_session", None)
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        # Same settings as Rasa's EndpointConfig.session, plus the keep-alive limit.
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=2),
        )
        kept = (loop, session)
        self._iep_session = kept
    return _KeptSession(kept[1])


@dataclass(frozen=True)
class Patch:
    """One Rasa attribute replaced by ours; `original` is Rasa's own, kept at import."""

    name: str
    owner: type
    attribute: str
    replacement: Any
    original: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "original", vars(self.owner)[self.attribute])

    @property
    def target(self) -> str:
        """Rasa's dotted name of what this patch replaces."""
        return f"{self.owner.__module__}.{self.owner.__qualname__}.{self.attribute}"


def _tracker_error_fails_the_turn(self: FailSafeTrackerStore, error: Exception) -> None:
    logger.error(
        "The tracker database failed (%s); this turn fails, nothing is kept in memory instead.",
        type(error).__name__,
    )
    raise error


PATCHES = (
    Patch(
        "action-reply-validators", RemoteAction, "_validate_action_result", _validate_action_result
    ),
    Patch("this-turns-events-to-actions", RemoteAction, "_action_call_format", _action_call_format),
    Patch("event-class-table", Event, "resolve_by_type", staticmethod(_resolve_by_type)),
    Patch("nlu-on-helper-thread", MessageProcessor, "parse_message", _parse_message),
    Patch("empty-domain-built-once", Domain, "is_empty", _is_empty),
    Patch("kept-alive-action-connections", EndpointConfig, "session", _session),
    Patch(
        "tracker-save-errors-fail-the-turn",
        FailSafeTrackerStore,
        "on_tracker_store_error",
        _tracker_error_fails_the_turn,
    ),
    Patch(
        "tracker-load-errors-fail-the-turn",
        FailSafeTrackerStore,
        "on_tracker_store_retrieve_error",
        _tracker_error_fails_the_turn,
    ),
)
# Every patch was written against, and measured on, this Rasa. Another version may have
# moved or changed the code they copy (tests/server/test_rasa_sources.py names which).
PINNED_RASA = "3.6.21"

_applied: tuple[str, ...] | None = None


def apply() -> tuple[str, ...]:
    """Switches the patches on (once per process) and returns the names of those active:
    all of them on the pinned Rasa, none on any other."""
    global _applied
    if _applied is not None:
        return _applied
    if rasa.__version__ != PINNED_RASA:
        logger.error(
            "Rasa %s is not the pinned %s: IEP Guide's speed-ups to Rasa are OFF. Each "
            "replaces Rasa code written for %s; recheck them (bot/server/patches.py, "
            "tests/server/test_rasa_sources.py) before pinning another Rasa.",
            rasa.__version__,
            PINNED_RASA,
            PINNED_RASA,
        )
        _applied = ()
        return _applied
    for patch in PATCHES:
        setattr(patch.owner, patch.attribute, patch.replacement)
    _applied = tuple(patch.name for patch in PATCHES)
    logger.info("Rasa patches active: %s", ", ".join(_applied))
    return _applied
