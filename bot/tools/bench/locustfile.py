"""Locust load for the REST webhook: closed loop (each simulated parent sends the next
message as soon as the last reply arrives). BENCH_TARGET=ours|vanilla picks the
conversations."""

import itertools
import os
import uuid

import conversations
from locust import HttpUser, constant, task

SORRY = "something went wrong on my side"
SCRIPTS = conversations.OURS if os.environ.get("BENCH_TARGET") == "ours" else conversations.VANILLA


class Parent(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.scripts = itertools.cycle(SCRIPTS)

    @task
    def conversation(self) -> None:
        sender = uuid.uuid4().hex  # a new parent for every conversation
        for kind, message in next(self.scripts):
            with self.client.post(
                "/webhooks/rest/webhook",
                name=kind,
                catch_response=True,
                json={"sender": sender, "message": message},
            ) as reply:
                if reply.status_code != 200:
                    reply.failure(f"HTTP {reply.status_code}")
                    return
                body = reply.json()
                if not body:
                    reply.failure("silence: empty reply")
                elif any(SORRY in (m.get("text") or "") for m in body):
                    reply.failure("apology instead of an answer")
