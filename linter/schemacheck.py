"""A fast yes/no check of an instance against our own JSON Schemas; jsonschema explains the no.

Importing jsonschema costs about 100 ms, more than a whole cold run of iamlint, and almost
every policy and configuration file is valid. So `is_valid` answers "valid?" for the small
subset of JSON Schema that iamlint's schemas use, and only a "no" (or a keyword it does not
know, which it treats as "no") makes the caller import jsonschema for the real, detailed
errors. jsonschema stays the authority: a test checks that both agree on every fixture.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}
_KNOWN = {
    "$schema",
    "$comment",
    "$ref",
    "definitions",
    "description",
    "title",
    "default",
    "examples",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "const",
    "items",
    "pattern",
    "propertyNames",
    "anyOf",
    "allOf",
    "oneOf",
    "not",
    "minItems",
    "minimum",
    "format",
}


class _Unsupported(Exception):
    pass


@lru_cache(maxsize=256)
def _regex(pattern: str):
    return re.compile(pattern)


def _type_ok(value: Any, t: str) -> bool:
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    py = _TYPES.get(t)
    if py is None:
        raise _Unsupported(t)
    if py is not bool and isinstance(value, bool):
        return False
    return isinstance(value, py)


def _check(value: Any, schema: Any, root: dict) -> bool:
    if schema is True:
        return True
    if schema is False:
        return False
    unknown = set(schema) - _KNOWN
    if unknown:
        raise _Unsupported(", ".join(sorted(unknown)))
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise _Unsupported(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        if not _check(value, target, root):
            return False
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "const" in schema and value != schema["const"]:
        return False
    if isinstance(value, str) and "pattern" in schema and not _regex(schema["pattern"]).search(value):
        return False
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        return False
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return False
        if "items" in schema and not all(_check(v, schema["items"], root) for v in value):
            return False
    if isinstance(value, dict):
        props = schema.get("properties", {})
        if not all(k in value for k in schema.get("required", ())):
            return False
        if "propertyNames" in schema and not all(_check(k, schema["propertyNames"], root) for k in value):
            return False
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                if not _check(v, props[k], root):
                    return False
            elif not _check(v, extra, root):
                return False
    if "allOf" in schema and not all(_check(value, s, root) for s in schema["allOf"]):
        return False
    if "anyOf" in schema and not any(_check(value, s, root) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(1 for s in schema["oneOf"] if _check(value, s, root)) != 1:
        return False
    if "not" in schema and _check(value, schema["not"], root):
        return False
    return True


def is_valid(instance: Any, schema: dict) -> bool:
    """True when ``instance`` certainly satisfies ``schema``; False means "ask jsonschema"."""
    try:
        return _check(instance, schema, schema)
    except (_Unsupported, KeyError, TypeError, re.error):
        return False


def errors(instance: Any, schema: dict) -> list:
    """The detailed jsonschema errors (imports jsonschema), sorted by their path."""
    import jsonschema

    validator = jsonschema.Draft7Validator(schema)
    return sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
