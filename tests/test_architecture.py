"""The package reads as its pipeline, and imports run one way down it.

Every module of ``linter/`` (the package ``iamlint``) and ``rules/`` (``iamlint.rules``) belongs
to one stage below; a module may import modules of its own stage or of stages before it,
never after. Imports inside functions count as much as those at the top. docs/architecture.md
describes the stages.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the stages, lowest first; a module belongs to the stage of its longest matching prefix
STAGES: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "iamlint.version",
            "iamlint.model",
            "iamlint.positions",
            "iamlint.diagnostics",
            "iamlint.directives",
            "iamlint.cache",
            "iamlint.schemacheck",
            "iamlint.data",
            "iamlint.managed",
        ),
    ),
    ("discover", ("iamlint.discover",)),
    ("parse with positions", ("iamlint.parse",)),
    ("model builder", ("iamlint.builder",)),
    ("extract", ("iamlint.extract",)),
    (
        "rules",
        (
            "iamlint.catalogue",
            "iamlint.catalogue_build",
            "iamlint.rule",
            "iamlint.rulekit",
            "iamlint.evaluate",
            "iamlint.escalation",
            "iamlint.fixkit",
            "iamlint.api",
            "iamlint.registry",
            "iamlint.rules",
            "iamlint.ruleset",
        ),
    ),
    ("check", ("iamlint.check",)),
    ("select and suppress", ("iamlint.config", "iamlint.suppress")),
    ("report", ("iamlint.results", "iamlint.baseline", "iamlint.reporters", "iamlint.progress")),
    ("fix", ("iamlint.fixes",)),
    ("result cache", ("iamlint.resultcache",)),
    ("engine", ("iamlint.engine",)),
    (
        "interfaces",
        (
            "iamlint.cli",
            "iamlint.explain",
            "iamlint.__main__",
            "iamlint.docgen",
            "iamlint.testing",
            "iamlint.cfnlint",
            "iamlint.server",
            "iamlint",
        ),
    ),
]


def modules() -> dict[str, Path]:
    found = {}
    for base, pkg in ((ROOT / "linter", "iamlint"), (ROOT / "rules", "iamlint.rules")):
        for path in sorted(base.rglob("*.py")):
            parts = [p for p in path.relative_to(base).with_suffix("").parts if p != "__init__"]
            found[".".join([pkg, *parts])] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The iamlint modules ``name`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                add(a.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                add(sub if sub in known else mod)
    return out


def stage_of(name: str) -> int | None:
    best: tuple[int, int] | None = None
    for i, (_stage, prefixes) in enumerate(STAGES):
        for p in prefixes:
            # the package itself holds only its own __init__: its modules need a stage of their own
            if name == p or (p != "iamlint" and name.startswith(p + ".")):
                if best is None or len(p) > best[1]:
                    best = (i, len(p))
    return best[0] if best else None


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_every_module_belongs_to_a_stage():
    assert [m for m in modules() if stage_of(m) is None] == []


def test_imports_run_one_way_down_the_pipeline():
    wrong = []
    for source, targets in sorted(graph().items()):
        for target in sorted(targets):
            s, t = stage_of(source), stage_of(target)
            assert s is not None and t is not None
            if t > s:
                wrong.append(f"{source} ({STAGES[s][0]}) imports {target} ({STAGES[t][0]})")
    assert wrong == []


def test_no_import_circle():
    g = graph()
    state: dict[str, int] = {}
    circles = []

    def visit(v: str, path: list[str]) -> None:
        state[v] = 1
        for w in sorted(g[v]):
            if state.get(w) == 1:
                circles.append(" -> ".join(path[path.index(w) :] + [w]))
            elif w not in state:
                visit(w, path + [w])
        state[v] = 2

    for v in sorted(g):
        if v not in state:
            visit(v, [v])
    assert circles == []


def test_no_extractor_imports_the_engine_rules_or_suppression():
    later = ("iamlint.engine", "iamlint.check", "iamlint.suppress", "iamlint.config", "iamlint.rule")
    wrong = [
        f"{s} imports {t}"
        for s, targets in graph().items()
        if s.startswith(("iamlint.extract", "iamlint.parse", "iamlint.builder"))
        for t in targets
        if t.startswith(later)
    ]
    assert wrong == []
