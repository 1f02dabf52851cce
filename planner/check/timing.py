"""Timestamps: completed not before started, a stated duration that fits, UTC labels that lie."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from planner.check.claim_text import Claim
from planner.check.findings import Finding, make
from planner.check.summary_claims import SummaryClaims

_STAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?(?![\d:])"
)
_PART = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>h(?:ours?|rs?)?|m(?:in(?:ute)?s?)?|s(?:ec(?:ond)?s?)?)\b",
                   re.IGNORECASE)
_ESTIMATE = re.compile(r"~|≈|\b(?:approx|about|around|roughly|est|estimated|under|over|less|more|<|>)",
                       re.IGNORECASE)
_OFFSET_HINT = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*[+-]\d{2}:?\d{2}")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class Stamp:
    """A point in time as written: a date, maybe a time, maybe a zone."""

    day: date
    moment: datetime | None  # None when only a date is written; naive when no zone is written
    zone: str  # "" | "utc" (Z, UTC, +00:00) | the offset as written

    @property
    def aware(self) -> bool:
        return self.moment is not None and self.moment.tzinfo is not None


def parse_stamp(text: str) -> Stamp | None:
    """The first timestamp in `text`, or None."""
    match = _STAMP.search(text)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["date"])
        if match["time"] is None:
            return Stamp(day, None, "")
        clock = match["time"] if match["time"].count(":") == 2 else match["time"] + ":00"
        moment = datetime.fromisoformat(f"{match['date']}T{clock.zfill(8) if len(clock) < 8 else clock}")
    except ValueError:
        return None
    zone_text = (match["zone"] or "").upper()
    if zone_text in ("Z", "UTC", "GMT", "+00:00", "+0000", "-00:00"):
        return Stamp(day, moment.replace(tzinfo=UTC), "utc")
    if zone_text:
        sign = 1 if zone_text[0] == "+" else -1
        digits = zone_text[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return Stamp(day, moment.replace(tzinfo=timezone(sign * offset)), zone_text)
    return Stamp(day, moment, "")


def parse_duration(text: str) -> tuple[int, int] | None:
    """(seconds, rounding unit in seconds) of `7min`, `1h 15m`, `2 hours`; None for estimates."""
    if _ESTIMATE.search(text):
        return None
    parts: list[re.Match[str]] = []
    for part in _PART.finditer(text):  # only the first run: `17 min (1056 seconds)` is one figure
        if parts and text[parts[-1].end():part.start()].strip(" ,") not in ("", "and"):
            break
        parts.append(part)
    if not parts:
        return None
    seconds = 0.0
    smallest = 3600
    for part in parts:
        unit = _UNIT_SECONDS[part["unit"][0].lower()]
        seconds += float(part["number"]) * unit
        decimals = len(part["number"].partition(".")[2])
        smallest = min(smallest, unit if decimals == 0 else max(1, int(unit / 10 ** decimals)))
    return round(seconds), max(smallest, 60)


def check_times(rel: str, claims: SummaryClaims) -> list[Finding]:
    """TIM301 completed before started; TIM302 duration against timestamps; TIM303 false UTC."""
    findings: list[Finding] = []
    started = parse_stamp(claims.started.value) if claims.started else None
    completed = parse_stamp(claims.completed.value) if claims.completed else None
    if started and completed and claims.started and claims.completed:
        elapsed = _elapsed(started, completed)
        if elapsed is not None and elapsed < 0 or (elapsed is None and completed.day < started.day):
            findings.append(make(rel, claims.completed.line, "TIM301",
                                 f"completed {claims.completed.value} is before started "
                                 f"{claims.started.value} (line {claims.started.line})"))
        elif elapsed is not None:
            findings.extend(_duration(rel, claims, elapsed))
    findings.extend(_false_utc(rel, claims, [c for c in (claims.started, claims.completed) if c]))
    findings.extend(_front_against_body(rel, claims))
    return findings


def _front_against_body(rel: str, claims: SummaryClaims) -> list[Finding]:
    """TIM306: the frontmatter's `completed` date more than a day from the body's Completed."""
    front, body = claims.completed_front, claims.completed
    if front is None or body is None or front.line == body.line:
        return []
    first, second = parse_stamp(front.value), parse_stamp(body.value)
    if first is None or second is None or abs((first.day - second.day).days) <= 1:
        return []
    return [make(rel, front.line, "TIM306",
                 f"frontmatter completed {front.value}, but the body says {body.value} (line {body.line})")]


def _elapsed(started: Stamp, completed: Stamp) -> float | None:
    if started.moment is None or completed.moment is None or started.aware != completed.aware:
        return None
    return (completed.moment - started.moment).total_seconds()


def approximate_seconds(text: str) -> int | None:
    """Seconds of an estimate such as `~10 minutes` or `about 2h` (None for anything else)."""
    if not re.match(r"^\W*(?:~|≈|approx\.?|approximately|about|around|roughly)\s*", text, re.IGNORECASE):
        return None
    rest = re.sub(r"^\W*(?:~|≈|approx\.?|approximately|about|around|roughly)\s*", "", text, flags=re.IGNORECASE)
    parsed = parse_duration(rest)
    return parsed[0] if parsed is not None else None


def _stated(claims: SummaryClaims) -> tuple[Claim, int, int] | None:
    if claims.duration is not None:
        parsed = parse_duration(claims.duration.value)
        if parsed is not None:
            return claims.duration, parsed[0], parsed[1]
        return None
    if claims.duration_seconds is not None and claims.duration_seconds.value.isdigit():
        return claims.duration_seconds, int(claims.duration_seconds.value), 1
    return None


def _duration(rel: str, claims: SummaryClaims, elapsed: float) -> list[Finding]:
    stated = _stated(claims)
    if stated is None:
        rough = approximate_seconds(claims.duration.value) if claims.duration is not None else None
        if claims.duration is None or rough is None or elapsed <= 0:
            return []
        # an estimate is still a finding when more than twice or less than half the timestamps
        if rough > 2 * max(elapsed, 60) or rough < 0.5 * elapsed:
            return [make(rel, claims.duration.line, "TIM302",
                         f"duration {claims.duration.value} (an estimate) but started to completed is "
                         f"{_human(elapsed)}: more than a factor of two apart")]
        return []
    claim, seconds, unit = stated
    allowed = max(unit, 0.1 * elapsed, 60)
    if abs(seconds - elapsed) <= allowed:
        return []
    return [make(rel, claim.line, "TIM302",
                 f"duration {claim.value} but started to completed is {_human(elapsed)}")]


def _human(seconds: float) -> str:
    minutes = round(abs(seconds) / 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if hours else f"{minutes}min"


def _false_utc(rel: str, claims: SummaryClaims, stated: list[Claim]) -> list[Finding]:
    """A time labelled UTC while the same document writes times with a non-zero offset."""
    labelled = [claim for claim in stated if (stamp := parse_stamp(claim.value)) and stamp.zone == "utc"
                and stamp.moment is not None]
    if not labelled:
        return []
    offsets: list[tuple[int, str]] = []
    if not _OFFSET_HINT.search("\n".join(claims.lines)):
        return []
    for number, text in enumerate(claims.lines, start=1):
        for match in _STAMP.finditer(text):
            stamp = parse_stamp(match[0])
            if stamp is not None and stamp.zone not in ("", "utc"):
                offsets.append((number, stamp.zone))
    if not offsets:
        return []
    line, zone = offsets[0]
    return [make(rel, claim.line, "TIM303",
                 f"{claim.value} is labelled UTC, but line {line} writes local time with offset "
                 f"{zone}: check which zone these times are in") for claim in labelled]
