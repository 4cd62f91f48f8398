"""Helpers for the language server's tests: a pytest-lsp client that keeps every
publishDiagnostics it receives (with its version) and answers registrations as editors do,
and small helpers to open, change and edit documents over real JSON-RPC."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from conftest import iamlint_bin
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    register_lsp_features(client, {k: v for k, v in DEFAULT_CLIENT_FEATURES.items() if k != PUBLISH})
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(PUBLISH)
    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append((time.monotonic(), params))  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


SERVER = ClientServerConfig(server_command=[*iamlint_bin(), "server"], client_factory=make_client)


def capabilities(encodings: list[str] | None = None) -> types.ClientCapabilities:
    """VS Code's capabilities (pytest-lsp's record of them), offering ``encodings``."""
    caps = client_capabilities("visual-studio-code")
    if encodings is not None:
        caps.general = caps.general or types.GeneralClientCapabilities()
        caps.general.position_encodings = [types.PositionEncodingKind(e) for e in encodings]
    return caps


async def initialize(client: LanguageClient, folders: list[Path], encodings: list[str] | None = None):
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(encodings),
            workspace_folders=[types.WorkspaceFolder(uri=uri(f), name=f.name) for f in folders],
        )
    )


def uri(path: Path | str) -> str:
    return from_fs_path(str(path)) or str(path)


LANGUAGES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".tf": "terraform", ".toml": "toml"}


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    """Open ``path`` (with ``text``, else its contents on disk); its URI."""
    u = uri(path)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=u,
                language_id=LANGUAGES.get(path.suffix, "plaintext"),
                version=version,
                text=path.read_text(encoding="utf-8") if text is None else text,
            )
        )
    )
    return u


def change(client: LanguageClient, u: str, version: int, text: str) -> None:
    """A whole-document change."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def edit(client: LanguageClient, u: str, version: int, line: int, character: int, end: int, new: str) -> None:
    """An incremental change on one line."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=character),
                        end=types.Position(line=line, character=end),
                    ),
                    text=new,
                )
            ],
        )
    )


async def diagnostics(
    client: LanguageClient,
    u: str,
    version: int | None = None,
    timeout: float = 30.0,
    after: int = 0,
    where=None,
) -> list[types.Diagnostic]:
    """The diagnostics published for ``u`` (for ``version`` when given; among the ones
    published after the ``after``-th; the last that satisfy ``where`` when given), waiting
    for them."""
    deadline = time.monotonic() + timeout
    while True:
        for _t, p in reversed(client.published[after:]):  # type: ignore[attr-defined]
            if p.uri == u and (version is None or p.version == version):
                if where is None or where(list(p.diagnostics)):
                    return list(p.diagnostics)
                break
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no diagnostics for {u} (version {version}) within {timeout} s")
        try:
            await asyncio.wait_for(client.wait_for_notification(PUBLISH), left)
        except asyncio.TimeoutError:
            pass


def codes(diags: list[types.Diagnostic]) -> list[tuple]:
    """(code, start line, start character, end line, end character) of each diagnostic, sorted."""
    return sorted(
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diags
    )


def utf16(line: str, index: int) -> int:
    """The UTF-16 offset of the code-point ``index`` of ``line``."""
    return len(line[:index].encode("utf-16-le")) // 2


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str = "utf-16") -> str:
    """``text`` with LSP text edits applied (positions in ``encoding`` code units)."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        start = sum(len(x) + 1 for x in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        count = 0
        for i, c in enumerate(line):
            if count >= pos.character:
                return start + i
            count += len(c.encode("utf-8")) if encoding == "utf-8" else 2 if ord(c) > 0xFFFF else 1
        return min(start + len(line), len(text))

    out = text
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        a, b = offset(e.range.start), offset(e.range.end)
        out = out[:a] + e.new_text + out[b:]
    return out


async def stop(client: LanguageClient) -> None:
    """Stop a client that a test started itself. pygls waits for the server to exit, which it
    does after ``exit``: when a test failed before it said so, the server is killed rather
    than the suite left waiting."""
    proc = client._server
    if proc is not None and proc.returncode is None:
        try:
            await asyncio.wait_for(asyncio.shield(proc.wait()), 10)
        except asyncio.TimeoutError:
            proc.kill()
    await client.stop()
