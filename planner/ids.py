"""Phase and plan ids: parse, order, format and allocate.

Real trees spell the same number many ways (`8`, `08`, `008`; `09-1` for 9.1; `12A.1.2`),
so every id is parsed once into a value that compares and prints one way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from functools import total_ordering

from planner.errors import InputError

_PHASE_NUMBER = re.compile(r"^(?P<major>\d+)(?P<letter>[A-Za-z]?)(?P<minors>(?:\.\d+)*)$")
_PLAN_PART = re.compile(r"^(?:(?P<gap>GAP)-)?(?P<number>\d+)(?P<suffix>[A-Za-z][A-Za-z0-9]*)?$")
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
_GAP_SPELLINGS = re.compile(r"^GAP(?:[_-]?CLOSURE)?[-_]?(?P<number>\d+)$", re.IGNORECASE)
# phase, an optional slug, plan: `12-03`, `04-90-percent-target-02`, `12-tier-1-push-GAP-04`
_GAP_TOKEN = re.compile(r"(\d+[A-Za-z]?(?:\.\d+)*)-(?:(.*?)-)?(GAP(?:[_-]?CLOSURE)?[-_]?\d+[A-Za-z]?)", re.IGNORECASE)
_PLAIN_TOKEN = re.compile(r"(\d+[A-Za-z]?(?:\.\d+)*)-(?:(.*?)-)?(\d+[A-Za-z]?)")
_ID_PREFIX = re.compile(r"^(?:phase|plan)[-_ ]?", re.IGNORECASE)
_PLAN_SUFFIX = re.compile(r"-PLAN(?:\.md)?$", re.IGNORECASE)


@total_ordering
@dataclass(frozen=True)
class PhaseNumber:
    """A phase number such as `8`, `08.1`, `12A.1.2`. Minors keep their digits and a letter suffix
    keeps its case as written (`16c` stays `16c`); comparison ignores the letter's case."""

    major: int
    letter: str = ""
    minors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> PhaseNumber:
        match = _PHASE_NUMBER.match(text.strip())
        if match is None:
            raise InputError(f"'{text}' is not a phase number (expected e.g. 8, 08.1 or 12A)")
        minors = tuple(part for part in match["minors"].split(".") if part)
        return cls(int(match["major"]), match["letter"], minors)

    def sort_key(self) -> tuple[int, str, tuple[int, ...]]:
        return (self.major, self.letter.upper(), tuple(int(minor) for minor in self.minors))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PhaseNumber):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhaseNumber):
            return NotImplemented
        return self.sort_key() == other.sort_key()

    def __hash__(self) -> int:
        return hash(self.sort_key())

    def __str__(self) -> str:
        return f"{self.major:02d}{self.letter}" + "".join(f".{minor}" for minor in self.minors)


@dataclass(frozen=True)
class PlanId:
    """A plan id: phase number plus plan part (`12-03`, `08.1-02`, `12-GAP-03`, `04-01a`)."""

    phase: PhaseNumber
    part: str

    @classmethod
    def parse(cls, text: str) -> PlanId:
        """Parse `NN-MM`, `NN.N-MM`, `NN-GAP-MM`; raises InputError otherwise."""
        head, sep, tail = text.strip().partition("-")
        if not sep or not tail or not head:
            raise InputError(f"'{text}' is not a plan id (expected e.g. 12-03, 08.1-02 or 12-GAP-03)")
        try:
            phase = PhaseNumber.parse(head)
        except InputError:
            raise InputError(f"'{text}' is not a plan id: '{head}' is not a phase number "
                             "(expected e.g. 12-03, 08.1-02 or 12-GAP-03)") from None
        return cls(phase, normalise_plan_part(tail, source=text))

    @property
    def is_gap(self) -> bool:
        return self.part.upper().startswith("GAP-")

    def sort_key(self) -> tuple[tuple[int, str, tuple[int, ...]], int, int, str]:
        match = _PLAN_PART.match(self.part)
        if match is None:
            return (self.phase.sort_key(), 2, 0, self.part)
        return (self.phase.sort_key(), 1 if match["gap"] else 0, int(match["number"]), self.part)

    def __str__(self) -> str:
        return f"{self.phase}-{self.part}" if self.part else str(self.phase)


def normalise_plan_part(text: str, *, source: str | None = None) -> str:
    """`7` -> `07`, `gap_closure-1` -> `GAP-01`; other irregular parts are kept as written."""
    stripped = text.strip()
    gap = _GAP_SPELLINGS.match(stripped)
    if gap:
        return f"GAP-{int(gap['number']):02d}"
    match = _PLAN_PART.match(stripped)
    if match is None:
        if not stripped:
            raise InputError(f"'{source or text}' has an empty plan number")
        return stripped
    number = f"{int(match['number']):02d}"
    suffix = match["suffix"] or ""
    return f"GAP-{number}{suffix}" if match["gap"] else f"{number}{suffix}"


def plan_key(token: str) -> str | None:
    """Every spelling of a plan id reduced to one key: `012-03` and `12-03` -> `12-03`;
    `12-GAP_CLOSURE-04`, `12-GAPCLOSURE-04`, `12-tier-1-push-GAP-04` -> `12-GAP-04`; a slug, also
    one holding digits: `04-90-percent-target-02` -> `04-02`; `phase-08-02` -> `08-02`; a
    trailing `-PLAN` / `-PLAN.md` is dropped; `09-1-03` is plan 03 of phase 9.1 and `08-80-31`
    plan 31 of phase 8. None when the token names no plan (`08-80-percent-x`, `2026-01-15`)."""
    named = plan_key_and_slug(token)
    return named[0] if named is not None else None


@functools.lru_cache(maxsize=16384)  # called once per commit of the history: ids repeat
def plan_key_and_slug(token: str) -> tuple[str, str] | None:
    """`plan_key` and the slug the token was written with (`local-agent` in `02-local-agent-02`,
    lower case, empty when there is none): a slug tells phases that share a number apart."""
    token = token.strip().strip("`*")
    if "-" not in token or not any(char.isdigit() for char in token):
        return None  # `ci`, `docs`, `13`: no plan id (most commit scopes; this runs once per commit)
    token = _PLAN_SUFFIX.sub("", _ID_PREFIX.sub("", token))
    found = (_GAP_TOKEN.fullmatch(token) if "ap" in token.lower() else None) or _PLAIN_TOKEN.fullmatch(token)
    if found is None:
        return None
    phase, slug = found[1], (found[2] or "").lower()
    if slug.isdigit():  # digits alone between the numbers: a date, a dash decimal, or a slug's start
        if len(phase) == 4:
            return None  # `2026-01-15`
        if len(slug) == 1:
            phase, slug = f"{phase}.{slug}", ""  # `09-1-03` is plan 03 of phase 9.1
    try:
        return str(PlanId.parse(f"{phase}-{found[3]}")), slug
    except InputError:
        return None


def slugify(title: str, *, max_length: int = 48) -> str:
    """A file-name-safe slug: lowercase ASCII letters, digits and single dashes only."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_UNSAFE.sub("-", ascii_title.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "untitled"


def next_plan_part(existing: list[str], *, gap: bool) -> str:
    """The next free plan part in a phase: `01`, `02`... or `GAP-01`, `GAP-02`..."""
    numbers = []
    for part in existing:
        match = _PLAN_PART.match(part)
        if match and bool(match["gap"]) == gap:
            numbers.append(int(match["number"]))
    number = max(numbers, default=0) + 1
    return f"GAP-{number:02d}" if gap else f"{number:02d}"


def next_phase_number(existing: list[PhaseNumber], *, after: PhaseNumber | None = None) -> PhaseNumber:
    """The next integer phase, or the next free decimal directly after `after` (8 -> 8.1 -> 8.2)."""
    if after is None:
        majors = [number.major for number in existing]
        return PhaseNumber(max(majors, default=0) + 1)
    depth = len(after.minors) + 1
    siblings = [
        int(number.minors[depth - 1])
        for number in existing
        if number.major == after.major
        and number.letter.upper() == after.letter.upper()
        and len(number.minors) == depth
        and number.minors[: depth - 1] == after.minors
    ]
    return PhaseNumber(after.major, after.letter, after.minors + (str(max(siblings, default=0) + 1),))
