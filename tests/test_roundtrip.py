"""A plan written then read back is the same plan:
Plan -> schema.plan_to_meta -> frontmatter.compose -> parse_document -> schema.plan_from_document,
and the frontmatter a draft adds beside the plan's own keys (`must_haves`, keys planner does not
own) comes back as written.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from planner.ids import PhaseNumber, PlanId, normalise_plan_part
from planner.model import PLAN_STATUSES, PLAN_TYPES, KeyFiles, Plan
from planner.scaffold import phase_folder_name
from planner.targets import parse_target
from planner.tree.filenames import parse_phase_dir
from planner.tree.frontmatter import Diagnostic, compose, parse_document
from planner.tree.schema import plan_from_document, plan_to_meta, unknown_plan_keys

AWKWARD = ["on", "yes", "no", "off", "true", "07", "08", "1.10", "1e3", "null", "~", "", " ", ": ", "a: b", "#",
           "# not a comment", "'", '"', "'quoted'", '"quoted"', "é ünïcödé ✓", "日本語", "@scope/pkg", "- item",
           "-", "[a, b]", "{a: 1}", "*alias", "&anchor", "!tag", "%percent", "`tick`", "|", ">", "a\nb",
           "trailing ", " leading", "tab\there", "---", "...", "\\.", "x\u2028y", "\x85"]

texts = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=30))
lists = st.lists(texts, max_size=4).map(tuple)

phase_numbers = st.builds(
    PhaseNumber,
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["", "", "A"]),
    st.lists(st.integers(min_value=1, max_value=12).map(str), max_size=2).map(tuple),
)
plan_parts = st.one_of(
    st.integers(min_value=1, max_value=120).map(lambda n: f"{n:02d}"),
    st.integers(min_value=1, max_value=30).map(lambda n: f"GAP-{n:02d}"),
)
plan_ids = st.builds(PlanId, phase_numbers, plan_parts)

metrics = st.sampled_from(["coverage", "branch_coverage", "tests.pass_rate", "tests.failed", "tests.total"])
targets = st.builds(
    lambda metric, op, number: str(parse_target(f"{metric} {op} {number}")),
    metrics,
    st.sampled_from([">=", ">", "<=", "<", "==", "!="]),
    st.integers(min_value=0, max_value=100),
)
timestamps = st.one_of(
    st.none(),
    st.sampled_from(["2024-05-01T10:30:00+02:00", "2024-05-01", "2024-05-01T10:30:00Z", "2024-05-01 10:30",
                     "2024-12-31T23:59:59.123456-05:30", "yesterday"]),
)
must_haves = st.one_of(
    st.just({}),
    st.fixed_dictionaries({
        "truths": st.lists(texts, max_size=3),
        "artifacts": st.lists(st.fixed_dictionaries({"path": texts, "provides": texts,
                                                     "min_lines": st.integers(1, 500).map(str)}), max_size=2),
        "key_links": st.lists(st.fixed_dictionaries({"from": texts, "to": texts, "pattern": texts}), max_size=2),
    }),
)
extras = st.dictionaries(st.sampled_from(["files_modified", "autonomous", "requirements", "x-team", "on"]),
                         st.one_of(texts, st.lists(texts, max_size=3)), max_size=3)
# What a draft writes beside the plan's own keys: kept in the file, not in the model
rests = st.builds(lambda written_must_haves, others: {**({"must_haves": written_must_haves} if written_must_haves
                                                         else {}), **others}, must_haves, extras)

plans = st.builds(
    Plan,
    id=plan_ids,
    title=texts,
    type=st.sampled_from(PLAN_TYPES),
    status=st.sampled_from(PLAN_STATUSES),
    subsystem=texts,
    tags=lists,
    requires=lists,
    provides=lists,
    affects=lists,
    depends_on=lists,
    key_files=st.builds(KeyFiles, lists, lists),
    targets=st.lists(targets, max_size=3).map(tuple),
    tasks=lists,
    closes=lists,
    started=timestamps,
    completed=timestamps,
    base_commit=st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=7, max_size=40)),
    wave=st.one_of(st.none(), st.integers(min_value=0, max_value=50)),
)


def folder_of(plan: Plan) -> str:
    return phase_folder_name(plan.id.phase, plan.title)


def written(plan: Plan, rest: dict[str, Any]) -> str:
    return compose({**plan_to_meta(plan, folder_of(plan)), **rest}, "\n# Plan\n")


def read_back(plan: Plan, rest: dict[str, Any]) -> tuple[Plan, list[Diagnostic], dict[str, Any]]:
    document = parse_document(Path(f"{plan.id}-PLAN.md"), written(plan, rest))
    diagnostics = list(document.diagnostics)
    return plan_from_document(document, plan.id, diagnostics), diagnostics, document.meta


@given(plans, rests)
@example(Plan(id=PlanId.parse("07-07"), title="on", tags=("yes", "07", "1.10", "null")), {"on": "push"})
@example(Plan(id=PlanId.parse("12A.1-GAP-03"), title="- x", subsystem="@scope", tasks=(": ", "#")), {})
def test_plan_written_then_read_back_is_equal(plan: Plan, rest: dict[str, Any]) -> None:
    again, diagnostics, meta = read_back(plan, rest)
    assert diagnostics == []
    assert again == replace(plan, unknown_keys=tuple(unknown_plan_keys(rest)))
    assert {key: meta[key] for key in rest} == rest


@given(plans)
@example(Plan(id=PlanId.parse("05-01"), title="3 tier rollout"))
def test_written_ids_name_the_same_plan(plan: Plan) -> None:
    _, _, meta = read_back(plan, {})
    assert normalise_plan_part(meta["plan"]) == plan.id.part
    assert parse_phase_dir(meta["phase"]).number == plan.id.phase


@given(plans, rests)
def test_written_frontmatter_is_plain_yaml_any_tool_reads(plan: Plan, rest: dict[str, Any]) -> None:
    block = written(plan, rest).split("---\n")[1]
    assert isinstance(yaml.safe_load(block), dict)


@given(plans, rests)
def test_writing_is_deterministic_and_idempotent(plan: Plan, rest: dict[str, Any]) -> None:
    again, _, meta = read_back(plan, rest)
    assert written(again, {key: meta[key] for key in rest}) == written(plan, rest)


def test_keys_are_written_in_schema_order() -> None:
    plan = Plan(id=PlanId.parse("03-02"), title="T", status="complete", tags=("a",), wave=1)
    keys = [line.split(":")[0] for line in written(plan, {"autonomous": "true"}).split("\n")[1:]
            if line and line[0].isalpha()]
    assert keys == ["phase", "plan", "type", "title", "status", "wave", "tags", "autonomous"]
