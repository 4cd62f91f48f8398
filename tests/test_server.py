"""`iamlint server` end to end, as an editor drives it: real JSON-RPC over stdio (pytest-lsp),
the client capabilities of VS Code, real files in a workspace folder.

One server runs for the module (each test in a folder of its own); the tests of what a
server is told at start-up (position encodings) start one of their own.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from serverlib import (
    SERVER,
    apply_edits,
    change,
    codes,
    diagnostics,
    edit,
    initialize,
    make_client,
    open_doc,
    stop,
    uri,
    utf16,
)

from iamlint.rule import DOCS_BASE

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient, workspace: Path):
    await initialize(lsp_client, [workspace])
    yield
    await lsp_client.shutdown_session()


def folder(workspace: Path, name: str) -> Path:
    d = workspace / name
    d.mkdir()
    return d


def since(client: LanguageClient, u: str, version: int) -> int:
    """The index of the publish of ``u`` at ``version`` in what the client received."""
    return next(i for i, (_t, p) in enumerate(client.published) if p.uri == u and p.version == version)


def cli_findings(run_cli, path: Path) -> list[tuple]:
    """(code, line, column, end line, end column) of what the command line finds in a file,
    0-based and in code points, as an ASCII file's LSP range counts them."""
    proc = run_cli("--format", "json", path, cwd=path.parent)
    assert "Traceback" not in proc.stderr
    out = []
    for f in json.loads(proc.stdout)["findings"]:
        if Path(f["file"]).name == path.name:
            out.append((f["code"], f["line"] - 1, f["column"] - 1, f["end_line"] - 1, f["end_column"] - 1))
    return sorted(out)


# -- diagnostics -------------------------------------------------------------------------------
POLICY_LINE = (
    '{"Version": "2012-10-17", "Statement": [{"Sid": "Zugriff für 😀 Ünïcödé", "Effect": "Allow", '
    '"Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}]}'
)


async def test_diagnostics_on_open_have_the_elements_range_in_utf16_code_units(client, workspace, run_cli):
    d = folder(workspace, "utf16")
    policy = d / "policy.json"
    policy.write_text(POLICY_LINE + "\n", encoding="utf-8")
    u = open_doc(client, policy)
    (diag,) = await diagnostics(client, u, version=1)
    at = POLICY_LINE.index('"s3:*"')
    # 😀 is two UTF-16 code units: the range is one unit further than the code points
    assert (diag.range.start.line, diag.range.start.character) == (0, utf16(POLICY_LINE, at))
    assert (diag.range.end.line, diag.range.end.character) == (0, utf16(POLICY_LINE, at + 6))
    assert utf16(POLICY_LINE, at) == at + 1
    assert diag.code == "IAM101"
    assert diag.severity == types.DiagnosticSeverity.Error
    assert diag.source == "iamlint"
    assert diag.code_description.href == f"{DOCS_BASE}#iam101-wildcard-action"
    assert diag.message.startswith('Allow statement grants every action of s3 ("s3:*")')
    # the same element the command line points at, in code points
    assert cli_findings(run_cli, policy) == [("IAM101", 0, at, 0, at + 6)]


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        - S3ReadPolicy:
            BucketName: "*"
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "ec2:*"
                Resource: "*"
"""


async def test_cloudformation_and_sam_templates_get_the_command_lines_findings(client, workspace, run_cli):
    d = folder(workspace, "sam")
    template = d / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    u = open_doc(client, template)
    got = codes(await diagnostics(client, u, version=1))
    assert got == cli_findings(run_cli, template)
    assert ("IAM101", 27, 24, 27, 31) in got  # "ec2:*"
    assert any(c[0] == "IAM102" and c[1] == 11 for c in got)  # the SAM template's BucketName: "*"


MAIN_TF = """\
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
  inline_policy {
    name = "read"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/*" }]
    })
  }
}
"""
EXTRA_TF = """\
resource "aws_iam_role_policy" "write" {
  name = "write"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::b/*" }]
  })
}
"""


async def test_terraform_buffers_are_linted_with_their_module_open_buffers_first(client, workspace):
    d = folder(workspace, "tf")
    (d / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (d / "extra.tf").write_text(EXTRA_TF, encoding="utf-8")
    main = open_doc(client, d / "main.tf")
    # extra.tf, on disk only, gives the role its second inline policy
    (diag,) = await diagnostics(client, main, version=1)
    assert (diag.code, diag.range.start.line, diag.range.end.line) == ("IAM301", 0, 13)
    assert "has 2 inline policies (read, write)" in diag.message
    # extra.tf opened and changed, not saved: the buffer wins over the file on disk
    extra = open_doc(client, d / "extra.tf")
    await diagnostics(client, extra, version=1)
    change(client, extra, 2, EXTRA_TF.replace("aws_iam_role.app.id", '"another-role"'))
    await diagnostics(client, extra, version=2)  # one lint of the module publishes both files
    assert await diagnostics(client, main, after=since(client, extra, 2)) == []
    n = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(extra)))
    # closed unsaved: the module goes on with extra.tf as it is on disk
    assert await diagnostics(client, extra, after=n) == []
    assert [x.code for x in await diagnostics(client, main, after=n)] == ["IAM301"]


# -- when diagnostics come ------------------------------------------------------------------------
CLEAN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}\n'


async def test_changes_are_debounced_into_one_lint_of_the_last_version(client, workspace):
    d = folder(workspace, "debounce")
    u = open_doc(client, d / "p.json", CLEAN)
    assert await diagnostics(client, u, version=1) == []
    n = len(client.published)
    for v in range(2, 7):  # five changes at once: one lint, of the last
        change(client, u, v, CLEAN.replace("s3:GetObject", "s3:*" if v == 6 else f"s3:Get{v}"))
    sent = time.monotonic()
    assert [x.code for x in await diagnostics(client, u, version=6, after=n)] == ["IAM101"]
    versions = [p.version for _t, p in client.published[n:] if p.uri == u]
    assert versions == [6]
    arrived = next(t for t, p in client.published[n:] if p.uri == u)
    assert arrived - sent < 5.0  # debounced by at most 150 ms; generous for slow machines


async def test_typing_without_a_pause_still_gets_diagnostics(client, workspace):
    d = folder(workspace, "typing")
    u = open_doc(client, d / "p.json", CLEAN)
    await diagnostics(client, u, version=1)
    n = len(client.published)
    for v in range(2, 32):  # a change every 30 ms for about a second, never a 100 ms pause
        change(client, u, v, CLEAN.replace("s3:GetObject", f"s3:Get{'x' * v}"))
        await asyncio.sleep(0.03)
    during = [p.version for _t, p in client.published[n:] if p.uri == u]
    # at most 150 ms after the first change not yet linted: several lints while typing
    assert len(during) >= 3, during
    assert await diagnostics(client, u, version=31, after=n) is not None


async def test_save_lints_at_once_and_close_clears(client, workspace):
    d = folder(workspace, "save")
    u = open_doc(client, d / "p.json", CLEAN)
    await diagnostics(client, u, version=1)
    n = len(client.published)
    change(client, u, 2, CLEAN.replace("s3:GetObject", "s3:*"))
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(u)))
    assert [x.code for x in await diagnostics(client, u, version=2, after=n)] == ["IAM101"]
    n = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(u)))
    assert await diagnostics(client, u, after=n) == []


async def test_a_buffer_that_does_not_parse_gets_iam900_and_the_server_goes_on(client, workspace):
    d = folder(workspace, "broken")
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "s3:*"}\n'
    u = open_doc(client, d / "p.json", text)
    (diag,) = await diagnostics(client, u, version=1)
    assert (diag.code, diag.severity) == ("IAM900", types.DiagnosticSeverity.Error)
    assert (diag.range.start.line, diag.range.start.character) == (3, 23)
    assert "expected ',' or '}'" in diag.message
    # the server still answers
    got = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), types.Position(line=3, character=35))
    )
    assert got is not None and "s3:*" in got.contents.value


async def test_a_finding_in_several_places_has_related_information(client, workspace):
    d = folder(workspace, "related")
    text = (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [{\n'
        '    "Effect": "Allow",\n'
        '    "Action": "s3:GetObject",\n'
        '    "Action": "s3:PutObject",\n'
        '    "Resource": "arn:aws:s3:::b/*"\n'
        "  }]\n"
        "}\n"
    )
    u = open_doc(client, d / "p.json", text)
    (diag,) = await diagnostics(client, u, version=1)
    assert (diag.code, diag.range.start.line, diag.range.start.character) == ("IAM902", 5, 4)
    (rel,) = diag.related_information
    assert rel.location.uri == u
    assert (rel.location.range.start.line, rel.location.range.start.character) == (4, 4)
    assert (rel.location.range.end.line, rel.location.range.end.character) == (4, 12)
    assert rel.message == "the first 'Action'"


# -- configuration ---------------------------------------------------------------------------------
WILD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n'


async def test_configuration_applies_per_file_and_is_reloaded_when_it_changes(client, workspace):
    quiet, loud = folder(workspace, "quiet"), folder(workspace, "loud")
    (quiet / ".iamlint.toml").write_text('ignore = ["IAM102"]\n', encoding="utf-8")
    uq = open_doc(client, quiet / "p.json", WILD)
    ul = open_doc(client, loud / "p.json", WILD)
    assert await diagnostics(client, uq, version=1) == []
    assert [x.code for x in await diagnostics(client, ul, version=1)] == ["IAM102"]
    # the server watches configuration files (VS Code registers the watchers it asks for)
    watched = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert watched and {w["globPattern"] for w in watched[0].register_options["watchers"]} == {
        "**/.iamlint.toml",
        "**/pyproject.toml",
    }
    # the file changes, the editor says so: linted again with the new configuration
    config = quiet / ".iamlint.toml"
    config.write_text('ignore = ["IAM303"]\n', encoding="utf-8")
    n = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri(config), type=types.FileChangeType.Changed)]
        )
    )
    assert [x.code for x in await diagnostics(client, uq, after=n)] == ["IAM102"]
    # saved in the editor: linted again too
    cu = open_doc(client, config)
    config.write_text('ignore = ["IAM102"]\n', encoding="utf-8")
    n = len(client.published)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(cu)))
    assert await diagnostics(client, uq, after=n) == []


async def test_a_changed_configuration_is_seen_without_a_watcher(client, workspace):
    d = folder(workspace, "unwatched")
    config = d / ".iamlint.toml"
    config.write_text('ignore = ["IAM102"]\n', encoding="utf-8")
    u = open_doc(client, d / "p.json", WILD)
    assert await diagnostics(client, u, version=1) == []
    config.write_text("ignore = []\n", encoding="utf-8")  # no watcher event (Neovim 0.7, Helix)
    n = len(client.published)
    change(client, u, 2, WILD + "\n")
    assert [x.code for x in await diagnostics(client, u, version=2, after=n)] == ["IAM102"]


async def test_a_configuration_broken_mid_edit_is_reported_and_the_last_good_one_applies(client, workspace):
    d = folder(workspace, "midedit")
    config = d / ".iamlint.toml"
    config.write_text('ignore = ["IAM102"]\nfail-on = "warning"\n', encoding="utf-8")
    u = open_doc(client, d / "p.json", WILD)
    assert await diagnostics(client, u, version=1) == []
    for broken, where, code in (
        ('ignore = ["IAM102"\nfail-on = "warning"\n', (1, 0), "IAM900"),  # TOML that does not parse
        ('ignore = ["IAM102"]\nfail-on = "high"\n', (1, 0), None),  # a value the schema refuses
    ):
        config.write_text(broken, encoding="utf-8")
        n = len(client.published)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams([types.FileEvent(uri(config), types.FileChangeType.Changed)])
        )
        (problem,) = await diagnostics(
            client, uri(config), after=n, where=lambda ds, code=code: ds and ds[0].code == code
        )
        assert (problem.range.start.line, problem.range.start.character) == where
        assert problem.severity == types.DiagnosticSeverity.Error
        assert problem.message.startswith("configuration not applied: ")
        assert problem.message.endswith("linting goes on with the last good configuration")
        # linting goes on, with the last good configuration (IAM102 still ignored)
        assert await diagnostics(client, u, after=n) == []
    assert "fail-on: expected one of error, warning, info, got 'high'" in problem.message
    config.write_text('ignore = ["IAM303"]\n', encoding="utf-8")
    n = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(uri(config), types.FileChangeType.Changed)])
    )
    assert await diagnostics(client, uri(config), after=n, where=lambda ds: ds == []) == []  # fixed: cleared
    assert [x.code for x in await diagnostics(client, u, after=n, where=bool)] == ["IAM102"]


async def test_workspace_folders_are_where_file_may_read(client, tmp_path_factory):
    outside = tmp_path_factory.mktemp("another-folder")  # no git, no configuration
    (outside / "policies").mkdir()
    policy = outside / "policies" / "p.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}\n',
        encoding="utf-8",
    )
    (outside / "mod").mkdir()
    tf = outside / "mod" / "main.tf"
    tf.write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("../policies/p.json")\n}\n', encoding="utf-8"
    )
    u = open_doc(client, tf)
    # not a workspace folder: the module's directory is all file() may read, as on the command line
    (diag,) = await diagnostics(client, u, version=1)
    assert diag.code == "IAM905" and "outside the repository" in diag.message
    n = len(client.published)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri(outside), "another-folder")], removed=[]
            )
        )
    )
    assert await diagnostics(client, u, after=n) == []
    # the policy's finding, named by the module, on the policy file (not open)
    (found,) = await diagnostics(client, uri(policy), after=n)
    assert found.code == "IAM101" and found.message.endswith("[aws_iam_policy.p]")


# -- hover, completion -------------------------------------------------------------------------------
HOVER_TEMPLATE = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, "s3:List*"]
                Resource: arn:aws:s3:::b/*
                Condition:
                  IpAddress: {aws:SourceIp: 10.0.0.0/8}
                  StringEquals: {s3:prefix: home/}
"""


async def test_hover_says_what_actions_wildcards_keys_and_managed_policies_are(client, workspace):
    d = folder(workspace, "hover")
    u = open_doc(client, d / "template.yaml", HOVER_TEMPLATE)
    await diagnostics(client, u, version=1)
    lines = HOVER_TEMPLATE.split("\n")

    async def hover(needle: str, line: int) -> str:
        col = lines[line].index(needle) + 1
        got = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(u), types.Position(line=line, character=col))
        )
        assert got is not None, needle
        assert got.range.start.line == line
        return got.contents.value

    action = await hover("s3:GetObject", 16)
    assert "**s3:GetObject** (Amazon S3)" in action
    assert "Access level: **Read**" in action
    assert "`object`" in action and "Condition keys" in action
    wildcard = await hover("s3:List*", 16)
    assert "**s3:List*** matches" in wildcard and "actions of Amazon S3" in wildcard
    assert "By access level: List" in wildcard and "`s3:ListAllMyBuckets`" in wildcard
    key = await hover("aws:SourceIp", 19)
    assert "`aws:SourceIp`" in key and "global condition key, type `IPAddress`" in key
    service_key = await hover("s3:prefix", 20)
    assert "type `String`" in service_key and "Honoured by" in service_key
    assert "Not honoured by `s3:GetObject`" in service_key
    managed = await hover("AmazonS3ReadOnlyAccess", 10)
    assert "**AmazonS3ReadOnlyAccess**: AWS managed policy" in managed
    assert "Grants" in managed and "`s3:Get*`" in managed
    nothing = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(u), types.Position(line=2, character=4))
    )
    assert nothing is None


async def test_completion_of_actions_and_of_the_keys_the_statements_actions_honour(client, workspace):
    d = folder(workspace, "complete")
    good = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], '
        '"Resource": "arn:aws:s3:::b/*", "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "x"}}}]}'
    )
    u = open_doc(client, d / "p.json", good)
    await diagnostics(client, u, version=1)
    # typing an action: the buffer no longer parses
    typing = good.replace('"Action": ["s3:GetObject"]', '"Action": ["s3:GetObj')
    change(client, u, 2, typing)
    at = typing.index("s3:GetObj") + len("s3:GetObj")
    got = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(u), types.Position(line=0, character=at))
    )
    labels = {i.label: i for i in got.items}
    assert "s3:GetObject" in labels and "s3:GetObjectAcl" in labels
    assert all(label.startswith("s3:GetObj") for label in labels)
    item = labels["s3:GetObject"]
    assert item.detail == "Read"
    assert item.text_edit.new_text == "s3:GetObject"
    assert (item.text_edit.range.start.character, item.text_edit.range.end.character) == (at - 9, at)
    # a condition key of the statement's actions
    typing = good.replace('"s3:ExistingObjectTag/team"', '"s3:Ex')
    change(client, u, 3, typing)
    at = typing.index('"s3:Ex') + len('"s3:Ex')
    got = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(u), types.Position(line=0, character=at))
    )
    labels = {i.label: i for i in got.items}
    assert "s3:ExistingObjectTag/<key>" in labels
    assert labels["s3:ExistingObjectTag/<key>"].text_edit.new_text == "s3:ExistingObjectTag/"
    assert all(label.lower().startswith("s3:ex") for label in labels)
    # the global keys too, and none of another service's
    typing = good.replace('"s3:ExistingObjectTag/team"', '"aws:Sour')
    change(client, u, 4, typing)
    at = typing.index('"aws:Sour') + len('"aws:Sour')
    got = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(u), types.Position(line=0, character=at))
    )
    labels = {i.label for i in got.items}
    assert {"aws:SourceIp", "aws:SourceVpc", "aws:SourceAccount"} <= labels
    typing = good.replace('"s3:ExistingObjectTag/team"', '"dynamodb:')
    change(client, u, 5, typing)
    at = typing.index('"dynamodb:') + len('"dynamodb:')
    got = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(u), types.Position(line=0, character=at))
    )
    assert got is None or got.items == []


# -- code actions ----------------------------------------------------------------------------------
async def _suppress(client, u: str, text: str, code: str, version: int = 1):
    diags = await diagnostics(client, u, version=version)
    (diag,) = [x for x in diags if x.code == code]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(u),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag], only=[types.CodeActionKind.QuickFix]),
        )
    )
    (action,) = [a for a in got or [] if a.title.startswith(f"Suppress {code}")]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.diagnostics[0].code == code
    return action


POLICY_TF = """\
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*"
      Resource = "arn:aws:s3:::b/*"
    }]
  })
}
"""


async def test_suppression_with_a_comment_in_yaml_and_hcl(client, workspace):
    d = folder(workspace, "suppress-comment")
    for name, text, code in (("template.yaml", TEMPLATE, "IAM101"), ("main.tf", POLICY_TF, "IAM101")):
        u = open_doc(client, d / name, text)
        action = await _suppress(client, u, text, code)
        (edits,) = action.edit.changes.values()
        fixed = apply_edits(text, edits)
        (comment,) = [ln for ln in fixed.split("\n") if "iamlint: ignore" in ln]
        assert comment.strip().startswith(
            f"# iamlint: ignore[{code}] TODO: say why this finding is accepted until="
        )
        n = len(client.published)
        change(client, u, 2, fixed)
        assert code not in [x.code for x in await diagnostics(client, u, version=2, after=n)]


CFN_JSON = """\
{
  "Resources": {
    "Role": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}}]
      }
    }
  }
}
"""


async def test_suppression_in_the_metadata_of_a_cloudformation_json_resource(client, workspace):
    d = folder(workspace, "suppress-metadata")
    u = open_doc(client, d / "template.json", CFN_JSON)
    action = await _suppress(client, u, CFN_JSON, "IAM101")
    (edits,) = action.edit.changes.values()
    fixed = apply_edits(CFN_JSON, edits)
    meta = json.loads(fixed)["Resources"]["Role"]["Metadata"]["iamlint"]["ignore"]
    assert [(e["rule"], e["reason"]) for e in meta] == [("IAM101", "TODO: say why this finding is accepted")]
    assert fixed.split("\n")[3] == '      "Metadata": ' + json.dumps({"iamlint": {"ignore": meta}}) + ","
    n = len(client.published)
    change(client, u, 2, fixed)
    assert "IAM101" not in [x.code for x in await diagnostics(client, u, version=2, after=n)]


async def test_suppression_of_a_raw_json_policy_in_the_configuration(client, workspace):
    d = folder(workspace, "suppress-config")
    config = d / ".iamlint.toml"
    config.write_text('select = ["ALL"]\n', encoding="utf-8")
    (d / "policies").mkdir()
    u = open_doc(client, d / "policies" / "p.json", WILD)
    action = await _suppress(client, u, WILD, "IAM102")
    ((target, edits),) = action.edit.changes.items()
    assert target == uri(config)
    config.write_text(apply_edits(config.read_text(encoding="utf-8"), edits), encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    assert text.startswith(
        'select = ["ALL"]\n\n[[suppress]]\nfiles = "policies/p.json"\nrules = ["IAM102"]\n'
    )
    n = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(uri(config), types.FileChangeType.Changed)])
    )
    assert await diagnostics(client, u, after=n) == []


async def test_suppression_of_a_raw_json_policy_creates_a_configuration_file(client, workspace):
    d = folder(workspace, "suppress-new-config")
    u = open_doc(client, d / "p.json", WILD)
    action = await _suppress(client, u, WILD, "IAM102")
    create, text_edit = action.edit.document_changes
    assert create.kind == "create" and create.uri == uri(workspace / ".iamlint.toml")
    assert text_edit.text_document.uri == create.uri
    (body,) = [e.new_text for e in text_edit.edits]
    assert body.startswith('[[suppress]]\nfiles = "suppress-new-config/p.json"\nrules = ["IAM102"]\n')


# -- position encodings -----------------------------------------------------------------------------
async def test_utf8_is_chosen_when_the_client_offers_it(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(POLICY_LINE + "\n", encoding="utf-8")
    lsp = make_client()
    await lsp.start_io(*SERVER.server_command)
    try:
        result = await initialize(lsp, [tmp_path], encodings=["utf-16", "utf-8"])
        assert result.capabilities.position_encoding == "utf-8"
        u = open_doc(lsp, policy)
        (diag,) = await diagnostics(lsp, u, version=1)
        at = POLICY_LINE.index('"s3:*"')
        start = len(POLICY_LINE[:at].encode("utf-8"))
        assert (diag.range.start.character, diag.range.end.character) == (start, start + 6)
        # positions the client sends are UTF-8 too: an edit right after the emoji
        emoji = len(POLICY_LINE[: POLICY_LINE.index("😀") + 1].encode("utf-8"))
        edit(lsp, u, 2, 0, emoji, emoji, "x")
        n = len(lsp.published)
        lsp.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(u)))
        (diag,) = await diagnostics(lsp, u, version=2, after=n)
        assert (diag.range.start.character, diag.range.end.character) == (start + 1, start + 7)
        got = await lsp.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(u), types.Position(line=0, character=start + 3))
        )
        assert got.contents.value.startswith("**s3:*** matches")
        await lsp.shutdown_session()
    finally:
        await stop(lsp)


# -- the fix engine's fixes ------------------------------------------------------------------------
FIXABLE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          # keys for the reports bucket (für alle)
          - Effect: Allow
            Action: ["kms:Encrypt*", 'kms:Decrypt']
            Resource: "*"
"""


async def test_quick_fix_and_fix_all_apply_the_fix_engines_safe_fixes(client, workspace):
    d = folder(workspace, "fixes")
    u = open_doc(client, d / "template.yaml", FIXABLE)
    diags = await diagnostics(client, u, version=1)
    (diag,) = [x for x in diags if x.code == "IAM101"]
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(u),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag], only=[types.CodeActionKind.QuickFix]),
        )
    )
    (fix,) = [a for a in got or [] if not a.title.startswith("Suppress")]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics[0].code == "IAM101"
    (edits,) = fix.edit.changes.values()
    fixed = apply_edits(FIXABLE, edits)
    # only the wildcard changed: comments, quoting and layout as they were
    assert fixed == FIXABLE.replace('"kms:Encrypt*"', '"kms:Encrypt"')

    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(u),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.iamlint"]),
        )
    )
    (fix_all,) = got
    assert fix_all.kind == "source.fixAll.iamlint"
    (edits,) = fix_all.edit.changes.values()
    assert apply_edits(FIXABLE, edits) == fixed
    n = len(client.published)
    change(client, u, 2, fixed)
    assert "IAM101" not in [x.code for x in await diagnostics(client, u, version=2, after=n)]
    # nothing left to fix: no fix-all
    got = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(u),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.iamlint"]),
        )
    )
    assert not got
