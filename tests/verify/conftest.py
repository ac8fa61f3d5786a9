"""Session summary for the tamper suite: the detection rate over every perturbed statement."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    statuses = [value for outcome in ("passed", "failed")
                for report in terminalreporter.stats.get(outcome, ())
                for key, value in getattr(report, "user_properties", ())
                if key.startswith("tamper ")]
    if not statuses:
        return
    detected = statuses.count("detected")
    terminalreporter.write_line(
        f"tamper suite: {detected} of {len(statuses)} perturbed statements turned the verdict "
        f"({detected / len(statuses):.0%}); {statuses.count('kept')} kept it for a stated "
        f"reason; {statuses.count('undetected')} undetected")
