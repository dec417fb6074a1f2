"""Realistic conversations the benchmark replays (plain Python: the Locust venv has
no Rasa). Each turn is (kind, message); kinds are reported separately so draft-saving
turns can be compared with plain answers."""

VANILLA = [  # the `rasa init` moodbot
    [("chitchat", "hello"), ("chitchat", "I am sad"), ("chitchat", "yes"), ("chitchat", "bye")],
]

QUESTIONS = [
    [
        ("chitchat", "hi"),
        ("answer", "what is an IEP?"),
        ("answer", "what is esy??"),
        ("answer", "who is on the iep team"),
        ("chitchat", "thanks"),
    ],
    [
        ("answer", "my son's school wants him to have an IEP what does that mean"),
        ("answer", "does he have to sign it or do i"),
        ("answer", "what if i disagree with the school"),
        ("chitchat", "ok bye"),
    ],
]

# Filled in with the draft flow's real steps (every answer is autosaved).
DRAFT = [
    [
        ("draft-save", "help me write my vision statement"),
        ("draft-save", "Maya"),
        ("draft-save", "she is 9, in 4th grade"),
        ("draft-save", "she loves drawing and is so kind to her little brother"),
        ("draft-save", "visual schedules and a calm corner help her"),
        ("draft-save", "she can't keep up with reading in class and gets frustrated"),
        ("draft-save", "more reading support in a small group"),
        ("draft-save", "that's all"),
        ("draft-save", "making one good friend and reading a chapter book"),
        ("draft-save", "in middle school with friends, reading for fun"),
        ("draft-save", "looks good"),
    ],
]

OURS = QUESTIONS + DRAFT
