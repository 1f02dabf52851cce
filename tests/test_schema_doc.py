"""The published JSON Schema in docs/ is the one the model generates."""

import json
from pathlib import Path

from planner.tree.schema import PLAN_FIELDS, json_schema

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plan.schema.json"


def test_published_schema_is_generated_from_the_model() -> None:
    assert json.loads(DOCS.read_text(encoding="utf-8")) == json_schema(), "run: plan schema > docs/plan.schema.json"


def test_every_model_field_is_in_the_schema() -> None:
    assert set(PLAN_FIELDS) <= set(json_schema()["properties"])
