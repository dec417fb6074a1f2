"""The rate limiter itself (its clock is a plain function, so windows need no sleeping);
the channels' use of it is tested against the real bot in tests/system/test_rate_limits.py."""

from __future__ import annotations

from bot.server.rate_limits import WINDOW_SECONDS, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_then_waits_for_the_window():
    clock = Clock()
    limiter = RateLimiter(3, clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # another conversation has its own count
    clock.now += WINDOW_SECONDS - 1
    assert not limiter.allow("a")
    clock.now += 1
    assert limiter.allow("a")


def test_refused_messages_do_not_extend_the_wait():
    clock = Clock()
    limiter = RateLimiter(1, clock)
    assert limiter.allow("a")
    for _ in range(10):
        clock.now += 5
        assert not limiter.allow("a")
    clock.now = 1000.0 + WINDOW_SECONDS
    assert limiter.allow("a")


def test_zero_means_no_limit():
    limiter = RateLimiter(0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_forgotten_keys_are_swept(monkeypatch):
    import bot.server.rate_limits as rate_limits

    monkeypatch.setattr(rate_limits, "SWEEP_AT", 5)
    clock = Clock()
    limiter = RateLimiter(2, clock)
    for key in range(6):
        limiter.allow(str(key))
    clock.now += WINDOW_SECONDS
    limiter.allow("new")
    assert set(limiter._seen) == {"new"}
