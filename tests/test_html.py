"""``--format html``: one self-contained page, tested as a user runs it and in a real
headless Chromium (tests/chromelib.py drives it over the DevTools protocol on a pipe)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chromelib import Browser, chromium  # noqa: E402

HOSTILE_DIR = ("<", "textarea><script>window.pwned=1<")
HOSTILE_FILE = "script>.json"
#: the file's path as reports show it (relative to the run's working directory)
HOSTILE_PATH = "</textarea><script>window.pwned=1</script>.json"
HOSTILE_SID = "</textarea><script>window.pwned=2</script>"
#: statements with a wildcard action in the big file: more rows than the table's first page
MANY = 230


def _write(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    hostile = root.joinpath(*HOSTILE_DIR)
    hostile.mkdir(parents=True)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": HOSTILE_SID, "Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    (hostile / HOSTILE_FILE).write_text(json.dumps(policy, indent=2) + "\n")
    many = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"S{i}",
                "Effect": "Allow",
                "Action": "sqs:*",
                "Resource": f"arn:aws:sqs:us-east-1:123456789012:q{i}",
            }
            for i in range(MANY)
        ],
    }
    (root / "many.json").write_text(json.dumps(many, indent=2) + "\n")
    (root / "template.yaml").write_text(
        "Resources:\n"
        "  AppRole:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      AssumeRolePolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Principal: {Service: lambda.amazonaws.com}\n"
        "            Action: sts:AssumeRole\n"
        "      Policies:\n"
        "        - PolicyName: app\n"
        "          PolicyDocument:\n"
        "            Version: '2012-10-17'\n"
        "            Statement:\n"
        "              - Effect: Allow\n"
        "                Action: 's3:*'\n"
        "                Resource: '*'\n"
        "  Escalator:\n"
        "    Type: AWS::IAM::User\n"
        "    Properties:\n"
        "      Policies:\n"
        "        - PolicyName: attach\n"
        "          PolicyDocument:\n"
        "            Version: '2012-10-17'\n"
        "            Statement:\n"
        "              - Effect: Allow\n"
        "                Action: iam:AttachUserPolicy\n"
        "                Resource: !Sub 'arn:aws:iam::${AWS::AccountId}:user/*'\n"
    )
    return root


def _report(run_cli, tmp_path: Path) -> tuple[Path, dict]:
    root = _write(tmp_path)
    out = tmp_path / "report.html"
    r = run_cli("--format", "html", "-o", out, ".", cwd=root)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    page = out.read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/json" id="iamlint-data">(.*?)</script>', page, re.S)
    assert blob
    return out, json.loads(blob.group(1))


def test_page_is_self_contained_and_escapes_the_input(run_cli, tmp_path):
    out, data = _report(run_cli, tmp_path)
    page = out.read_text(encoding="utf-8")
    # the hostile path and Sid are in the data, but never as markup
    assert HOSTILE_PATH in data["files"]
    assert "window.pwned" in page
    assert "<script>window" not in page and "</textarea>" not in page
    assert page.count("<script") == 2  # the data blob and the report's own script
    assert page.count("</script>") == 2
    # nothing is loaded: a CSP that forbids it, no src attribute, no stylesheet, no url()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp and csp.group(1).startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-inline" not in csp.group(1)
    assert not re.search(r"\bsrc=|<link|@import|url\(", page)
    # the summary's counts and the findings: IAM101 three ways, every file named
    assert data["summary"]["files"] == 3
    assert data["summary"]["principals"] == 2
    assert data["principals"] == ["AppRole (template.yaml)", "Escalator (template.yaml)"]
    # the principals view: explain's JSON form, compact
    view = {p["principal"]: p for p in data["principal_view"]}
    assert set(view) == {"AppRole", "Escalator"}
    assert view["AppRole"]["trusted_by"] == ["Service: lambda.amazonaws.com"]
    assert view["AppRole"]["policies"] == [["app (template.yaml:14)", "identity", ""]]
    s3 = [p for p in view["AppRole"]["permissions"] if p[0] == "s3"]
    assert {p[4] for p in s3} == {"allowed"} and sum(p[2] for p in s3) == 180
    assert [e["path"] for e in view["Escalator"]["escalation_paths"]] == ["attach-policy"]
    codes = [c[0] for c in data["codes"]]
    assert {"IAM101", "IAM102"} <= set(codes)
    assert len(data["findings"]) >= MANY + 2
    # each finding's code frame is the text format's --show-source frame
    frames = {data["files"][f[2]]: f[8] for f in data["findings"] if data["codes"][f[1]][0] == "IAM101"}
    assert (
        frames["template.yaml"]
        == "   |\n17 |                 Action: 's3:*'\n   |                         ^^^^^^\n   |"
    )


def test_unit_embed_json_cannot_close_its_element():
    from iamlint.reporters.html import embed_json

    text = embed_json({"k": "</script><!-- & \u2028 é"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert text.isascii()
    assert json.loads(text) == {"k": "</script><!-- & \u2028 é"}


def _set(b: Browser, name: str, value: str, event: str) -> None:
    """Set a filter as a reader does: its value, then the event the page listens to."""
    b.eval(
        f"(() => {{ const e = document.getElementById('filter-{name}'); e.value = {json.dumps(value)};"
        f" e.dispatchEvent(new Event('{event}')); }})()"
    )


def test_report_in_headless_chromium(run_cli, tmp_path):
    exe = chromium()
    if exe is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    out, data = _report(run_cli, tmp_path)
    total = len(data["findings"])
    with Browser(exe) as b:
        b.open(out)
        b.wait_for("document.documentElement.dataset.ready === '1'")
        rows = "document.querySelectorAll('#findings tbody tr.row').length"
        # the summary and the first page of rows: the table renders lazily
        cards = "[...document.querySelectorAll('#summary .card')].map(c => c.textContent)"
        assert b.eval(cards)[:4] == [
            "3files",
            "5policy documents",
            "2principals",
            "2principals with findings",
        ]
        assert b.eval(rows) == 200
        assert b.eval("document.getElementById('count').textContent") == f"Showing 200 of {total} findings."
        # the hostile values are text, never markup: no script of theirs ran
        assert b.eval("typeof window.pwned") == "undefined"
        cells = b.eval("[...document.querySelectorAll('#findings td.loc')].map(td => td.textContent)")
        assert f"{HOSTILE_PATH}:7:17" in cells
        assert b.eval("document.querySelectorAll('script').length") == 2
        # "Show more" draws the rest
        b.eval("document.getElementById('more').click()")
        assert b.eval(rows) == total
        # a filter changes the visible rows: one code, then one principal, then a file
        iam102 = sum(1 for f in data["findings"] if data["codes"][f[1]][0] == "IAM102")
        code = [c[0] for c in data["codes"]].index("IAM102")
        _set(b, "code", str(code), "change")
        assert b.eval(rows) == iam102 < total
        _set(b, "code", "", "change")
        _set(b, "principal", "0", "change")
        mine = sum(1 for f in data["findings"] if f[7] == [0])
        assert (
            b.eval(
                "[...document.querySelectorAll('#findings td.who')].map(td => td.title + '|' + td.textContent)"
            )
            == ["AppRole (template.yaml)|AppRole"] * mine
        )
        _set(b, "principal", "", "change")
        _set(b, "file", "textarea", "input")
        b.wait_for(f"{rows} === 3")
        # a row opens its code frame, the hostile Sid shown as text
        b.eval("document.querySelector('#findings tr.row').click()")
        frame = b.eval("document.querySelector('#findings tr.frame pre').textContent")
        assert "Action" in frame and "^" in frame
        # sorting by code puts IAM101 first, then reversed
        _set(b, "file", "", "input")
        b.wait_for(f"{rows} === 200")
        b.eval("document.querySelector('th[data-key=code]').click()")
        first = "document.querySelector('#findings td.code').textContent"
        assert b.eval(first) == "IAM101"
        b.eval("document.querySelector('th[data-key=code]').click()")
        assert b.eval(first) == max(c[0] for c in data["codes"])
        # the principals view: a card per principal, its body drawn when opened
        cards = "[...document.querySelectorAll('details.principal summary')].map(s => s.textContent)"
        assert b.eval(cards) == [
            "AppRole role template.yaml:2",
            "Escalator user template.yaml:19 1 escalation path",
        ]
        b.eval(
            "document.getElementById('principal-only').value = 'paths';"
            "document.getElementById('principal-only').dispatchEvent(new Event('change'))"
        )
        assert b.eval(cards) == ["Escalator user template.yaml:19 1 escalation path"]
        b.eval("document.querySelector('details.principal').open = true")
        body = b.wait_for("document.querySelector('.principal-body')?.textContent")
        assert "attach-policy: iam:AttachUserPolicy on any user" in body
        assert "iam:AttachUserPolicy: attach (template.yaml:27)" in body
        # the attachment graph of the template: trust, principals, policies, as SVG
        nodes = "[...document.querySelectorAll('#graph g.node title')].map(t => t.textContent)"
        assert sorted(b.eval(nodes)) == sorted(
            [
                "Service: lambda.amazonaws.com",
                "role AppRole",
                "user Escalator",
                "app (template.yaml:14)",
                "attach (template.yaml:25)",
            ]
        )
        assert b.eval("document.querySelectorAll('#graph path.edge').length") == 3
        assert b.eval("document.querySelectorAll('#graph path.edge.trust').length") == 1
        assert b.errors == []


def test_stdin_report_has_no_principals_view(run_cli):
    policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    r = run_cli("--format", "html", "--stdin-filename", "p.json", "-", input=policy)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    blob = re.search(r'<script type="application/json" id="iamlint-data">(.*?)</script>', r.stdout, re.S)
    assert blob
    data = json.loads(blob.group(1))
    assert data["explained"] is False and data["principal_view"] == []
    assert data["files"] == ["p.json"]
    assert [data["codes"][f[1]][0] for f in data["findings"]][:1] == ["IAM101"]
