"""Rule docs come from the rule docstrings: they must be complete, current and correct."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from iamlint.config import Config
from iamlint.docgen import render
from iamlint.engine import Linter
from iamlint.rule import SECTIONS, doc_sections
from iamlint.ruleset import builtin_registry, default_registry

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"```(\w+)([^\n]*)\n(.*?)```", re.S)
SUFFIX = {"json": "policy.json", "yaml": "template.yaml", "hcl": "main.tf", "terraform": "main.tf"}
# Rules whose bad example cannot be linted from a docstring, and why; their fixtures cover them.
UNTRIGGERABLE = {
    "IAM903": "reports bugs of iamlint itself: by design no input triggers it",
    "IAM503": "a policy over the 6,144-character quota does not fit a docstring",
}

RULES = list(builtin_registry())


def examples(rule, section: str):
    return [
        (lang, meta, body)
        for lang, meta, body in FENCE.findall(doc_sections(rule.doc())[section])
        if lang in SUFFIX
    ]


def lint(tmp_path: Path, lang: str, body: str, rule=None):
    """The findings of an example; an opt-in ``rule``'s own examples are linted with it selected."""
    folder = tmp_path / lang
    folder.mkdir(exist_ok=True)
    path = folder / SUFFIX[lang]
    path.write_text(body, encoding="utf-8")
    config = Config(extend_select=(rule.code,)) if rule is not None and rule.opt_in else Config()
    return Linter(default_registry(), config).run([str(path)]).findings


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_docstring_has_every_section(rule):
    sections = doc_sections(rule.doc())
    for name in SECTIONS:
        assert sections.get(name), f"{rule.code} lacks ## {name}"
    assert examples(rule, "Example"), f"{rule.code}: ## Example needs a code block"
    assert examples(rule, "Use instead"), f"{rule.code}: ## Use instead needs a code block"


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in UNTRIGGERABLE], ids=lambda r: r.code)
def test_bad_example_gives_exactly_its_code_on_its_lines(rule, tmp_path):
    for lang, meta, body in examples(rule, "Example"):
        m = re.search(r'hl_lines="([\d ]+)"', meta)
        assert m, f"{rule.code}: the bad example must mark its offending lines with hl_lines"
        lines = sorted(int(x) for x in m.group(1).split())
        found = lint(tmp_path, lang, body, rule)
        own = [f.span.line for f in found if f.code == rule.code]
        on_lines = [(f.code, f.span.line) for f in found if f.span.line in lines]
        assert own == lines, f"{rule.code} should be reported on lines {lines}, got {own}"
        assert on_lines == [(rule.code, ln) for ln in lines], "other findings on the offending lines"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_good_example_is_clean(rule, tmp_path):
    for lang, _meta, body in examples(rule, "Use instead"):
        assert lint(tmp_path, lang, body, rule) == []


def test_rules_md_is_current():
    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render(builtin_registry()), "docs/rules.md is stale: run python scripts/update_docs.py"


def test_docgen_check_command(tmp_path):
    stale = tmp_path / "rules.md"
    stale.write_text("# old\n")
    proc = subprocess.run(
        [sys.executable, "-m", "iamlint.docgen", "--check", str(stale)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "is stale" in proc.stderr


def github_anchors(markdown: str) -> dict[str, str]:
    """The anchors GitHub gives the headings of a markdown file: {anchor: heading}
    (lowercased, punctuation other than '-' and '_' dropped, spaces to '-', '-1', '-2' on repeats)."""
    anchors: dict[str, str] = {}
    seen: dict[str, int] = {}
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if fenced or not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(2).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors[slug if n == 0 else f"{slug}-{n}"] = m.group(2)
    return anchors


def test_every_rule_url_is_the_anchor_of_its_heading_in_rules_md():
    """Rule.help_uri (SARIF helpUri, `iamlint rule`, the terminal's links) lands on the rule."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = github_anchors(text)
    for rule in RULES:
        page, _, anchor = rule.help_uri().partition("#")
        assert page.endswith("/docs/rules.md"), rule.help_uri()
        assert anchors.get(anchor) == f"{rule.code} {rule.name}", rule.code
        assert f"| [{rule.code}](#{anchor}) |" in text
