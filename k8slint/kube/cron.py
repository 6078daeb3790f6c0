"""CronJob schedules as the API server parses them: robfig/cron v3's ParseStandard
(called by validateScheduleFormat in pkg/apis/batch/validation).

Five fields (minute, hour, day of month, month, day of week), each a list of
`*`, `?`, a value or a range with an optional `/step`, months and weekdays also
by three-letter name; or a descriptor (`@yearly`, `@annually`, `@monthly`,
`@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <duration>`).
"""

from __future__ import annotations

import re

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {name: index + 1 for index, name in enumerate(_MONTHS)},
    ),
    ("day of week", 0, 6, {name: index for index, name in enumerate(_WEEKDAYS)}),
)
_DESCRIPTORS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_DURATION = re.compile(r"^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^[+-]?0$")


def schedule_error(schedule: str) -> str | None:
    """Why ParseStandard rejects `schedule` (None if it parses)."""
    if not schedule.strip():
        return "empty spec string"
    if schedule.startswith("@"):
        if schedule in _DESCRIPTORS:
            return None
        if schedule.startswith("@every "):
            duration = schedule[len("@every ") :].strip()
            return None if _DURATION.match(duration) else f"failed to parse duration {schedule}"
        return f"unrecognized descriptor: {schedule}"
    fields = schedule.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {schedule}"
    for text, (label, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in text.split(","):
            error = _range_error(part, low, high, names)
            if error:
                return f"{label}: {error}"
    return None


def _range_error(expr: str, low: int, high: int, names: dict[str, int]) -> str | None:
    """robfig/cron getRange: `*`/`?`, `a`, `a-b`, each with an optional `/step`."""
    range_part, slash, step_text = expr.partition("/")
    if range_part in ("*", "?"):
        start, end = low, high
    else:
        first, dash, second = range_part.partition("-")
        start_or_error = _value(first, names)
        if isinstance(start_or_error, str):
            return start_or_error
        start = start_or_error
        end = start
        if dash:
            end_or_error = _value(second, names)
            if isinstance(end_or_error, str):
                return end_or_error
            end = end_or_error
        elif slash:
            end = high
    if slash:
        if "/" in step_text:
            return f"too many slashes: {expr}"
        step = _value(step_text, {})
        if isinstance(step, str):
            return step
        if step <= 0:
            return f"step of range should be a positive number: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    return None


def _value(text: str, names: dict[str, int]) -> int | str:
    """A number or a name (case-insensitive), or the reason it is neither."""
    if text.lower() in names:
        return names[text.lower()]
    if text.isascii() and text.isdigit():
        return int(text)
    return f"failed to parse int from {text}"
