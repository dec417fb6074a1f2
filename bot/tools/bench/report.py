"""Writes the benchmark's markdown report and plot, and returns the summary line."""

from __future__ import annotations

import math
from pathlib import Path

from bot.tools.bench.measure import Level


def _row(bot: str, level: Level) -> str:
    kinds = ", ".join(f"{k} {v:.0f}" for k, v in sorted(level.p95_by_kind.items()))
    return (
        f"| {bot} | {level.channel} | {level.users} | {level.rps:.1f} | {level.p50:.0f} | "
        f"{level.p95:.0f} | {level.p99:.0f} | {level.errors}/{level.requests} | {kinds} |"
    )


def _at(levels: list[Level], users: int) -> Level | None:
    return next((lv for lv in levels if lv.users == users), None)


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return "n/a"
    return f"{a / b:.2f}"


def _plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, color in [
        ("ours_rest", "IEP Guide (REST)", "#1f4e79"),
        ("vanilla_rest", "vanilla rasa init (REST)", "#c0504d"),
        ("ours_socket", "IEP Guide (socket.io)", "#4f9a55"),
    ]:
        levels = results.get(key) or []
        if not levels:
            continue
        users = [lv.users for lv in levels]
        ax.plot(users, [lv.p95 for lv in levels], "o-", color=color, label=f"{label} p95")
        ax.plot(
            users, [lv.p50 for lv in levels], "o--", color=color, alpha=0.6, label=f"{label} p50"
        )
    ax.set_xlabel("concurrent parents (closed loop)")
    ax.set_ylabel("latency (ms)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title("Reply latency vs concurrent users")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def write_report(results: dict, out: Path) -> str:
    ours, vanilla = results.get("ours_rest", []), results.get("vanilla_rest", [])
    ours_max = max((lv.rps for lv in ours), default=None)
    van_max = max((lv.rps for lv in vanilla), default=None)
    o20, o1, v1, v20 = _at(ours, 20), _at(ours, 1), _at(vanilla, 1), _at(vanilla, 20)
    rss_o, rss_v = results.get("ours_rss_mb", {}), results.get("vanilla_rss_mb", {})
    nlu = results.get("nlu")
    lines = [
        "# IEP Guide benchmark",
        "",
        f"Each level runs {results['seconds']} s, closed loop (a parent sends the next message "
        "as soon as the reply arrives), one Rasa worker each. Latencies in ms.",
        "Ours runs as shipped: SQL tracker store (SQLite), action server, autosaved draft.",
        "",
        "| bot | channel | users | msg/s | p50 | p95 | p99 | errors | p95 by turn kind |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row("ours", lv) for lv in ours + results.get("ours_socket", [])]
    lines += [_row("vanilla", lv) for lv in vanilla]
    lines += [
        "",
        "| measure | ours | vanilla | ours/vanilla |",
        "|---|---|---|---|",
        f"| throughput at saturation (msg/s) | {_num(ours_max, '.1f')} | {_num(van_max, '.1f')} | "
        f"{_ratio(ours_max, van_max)} |",
        f"| p95 at 20 users (ms) | {_num(o20.p95 if o20 else None, '.0f')} | "
        f"{_num(v20.p95 if v20 else None, '.0f')} | "
        f"{_ratio(o20.p95 if o20 else None, v20.p95 if v20 else None)} |",
        f"| p50 at 1 user (ms) | {_num(o1.p50 if o1 else None, '.0f')} | "
        f"{_num(v1.p50 if v1 else None, '.0f')} | "
        f"{_ratio(o1.p50 if o1 else None, v1.p50 if v1 else None)} |",
        f"| cold start to ready (s) | {results.get('ours_cold_start_s', float('nan')):.1f} | "
        f"{results.get('vanilla_cold_start_s', float('nan')):.1f} | "
        f"{_ratio(results.get('ours_cold_start_s'), results.get('vanilla_cold_start_s'))} |",
        f"| Rasa server peak RSS (MB) | {rss_o.get('rasa', float('nan')):.0f} | "
        f"{rss_v.get('rasa', float('nan')):.0f} | {_ratio(rss_o.get('rasa'), rss_v.get('rasa'))} |",
        f"| action server peak RSS (MB) | {rss_o.get('actions', float('nan')):.0f} | - | - |",
        f"| full training (s) | {results.get('ours_train_s', float('nan')):.0f} | "
        f"{results.get('vanilla_train_s', float('nan')):.0f} | "
        f"{_ratio(results.get('ours_train_s'), results.get('vanilla_train_s'))} |",
    ]
    if nlu:
        lines += [
            "",
            "NLU quality (cross-validation, from `make eval`): "
            + ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in nlu.items()
            ),
        ]
    lines += ["", "![latency vs users](latency.png)"]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    _plot(results, out / "latency.png")
    draft_p95 = o20.p95_by_kind.get("draft-save") if o20 else None
    answer_p95 = o20.p95_by_kind.get("answer") if o20 else None
    parts = [
        f"ours {ours_max or 0:.1f} msg/s"
        + (f" vs vanilla {van_max:.1f} ({_ratio(ours_max, van_max)}x)" if van_max else ""),
        f"p95@20 {o20.p95:.0f} ms" if o20 else "",
        f"p50@1 {o1.p50:.0f} ms" + (f" vs {v1.p50:.0f} ms" if v1 else "") if o1 else "",
        f"draft-save p95@20 {draft_p95:.0f} ms vs answers {answer_p95:.0f} ms"
        if draft_p95 and answer_p95
        else "",
        f"cold start {results.get('ours_cold_start_s', 0):.1f}s",
        f"RSS rasa {rss_o.get('rasa', 0):.0f} MB, actions {rss_o.get('actions', 0):.0f} MB",
        f"train {results['ours_train_s']:.0f}s" if "ours_train_s" in results else "",
    ]
    return f"bench summary: {'; '.join(p for p in parts if p)} (report: {out / 'report.md'})"
