"""The fast schema check must agree with jsonschema, which stays the authority."""

from __future__ import annotations

import copy

from fixturelib import FIXTURES

from iamlint.data import policy_grammar
from iamlint.extract import extract_file
from iamlint.rules.policy_grammar import instance, schema_for
from iamlint.schemacheck import errors, is_valid

#: every kind of the grammar (identity, resource, trust, boundary, session, scp, rcp, ...)
KINDS = sorted(policy_grammar()["kinds"])


def fixture_instances():
    """Distinct document shapes of the JSON fixtures (values do not change the grammar's answer
    much, so near-copies are dropped to keep the test fast)."""
    import json

    out, seen = [], set()
    for path in sorted(FIXTURES.rglob("*.json")):
        try:
            ex = extract_file(str(path), path.read_text(encoding="utf-8"))
        except Exception:
            continue
        for doc in ex.documents if ex else ():
            inst = instance(doc)
            shape = json.dumps(inst, sort_keys=True)
            if shape not in seen:
                seen.add(shape)
                out.append(inst)
    assert out
    return out


def mutations(doc: dict):
    yield doc
    yield {**doc, "Version": "2012-10-18"}
    yield {**doc, "Statements": []}
    yield {k: v for k, v in doc.items() if k != "Statement"}
    for i, _st in enumerate(doc.get("Statement", [])[:2]):
        for change in (
            lambda s: {k: v for k, v in s.items() if k != "Effect"},
            lambda s: {**s, "Effect": "allow"},
            lambda s: {**s, "Actions": ["s3:GetObject"]},
            lambda s: {**s, "NotAction": ["iam:*"], "Action": ["s3:*"]},
            lambda s: {**s, "Principal": "*"},
            lambda s: {**s, "Principal": {"Aws": ["x"]}},
            lambda s: {**s, "Condition": {"StringEqual": {"k": ["v"]}}},
            lambda s: {k: v for k, v in s.items() if k not in ("Resource", "NotResource")},
            lambda s: {**s, "Effect": "Deny", "Principal": "*", "Resource": "*"},
            lambda s: {**s, "NotPrincipal": {"AWS": ["x"]}},
        ):
            new = copy.deepcopy(doc)
            new["Statement"][i] = change(new["Statement"][i])
            yield new


# every kind is covered: each document is checked against two kinds, rotating through them
CASES = [
    (kind, m)
    for i, doc in enumerate(fixture_instances())
    for kind in (KINDS[i % len(KINDS)], KINDS[(i + 3) % len(KINDS)])
    for m in mutations(doc)
]


def test_fast_check_agrees_with_jsonschema_on_policies():
    disagreements = [
        (kind, m) for kind, m in CASES if is_valid(m, schema_for(kind)) != (not errors(m, schema_for(kind)))
    ]
    assert disagreements == []
    assert any(is_valid(m, schema_for(k)) for k, m in CASES)
    assert any(not is_valid(m, schema_for(k)) for k, m in CASES)


def test_unknown_keywords_fail_safe():
    assert is_valid({"a": 1}, {"type": "object", "maxProperties": 5}) is False
