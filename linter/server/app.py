"""The Language Server itself: pygls and lsprotocol, speaking LSP on stdin and stdout.

Diagnostics come on open, on change (debounced: `DEBOUNCE` after the last change, and never
more than `MAX_WAIT` after the first change not yet linted) and on save, and are cleared on
close. Linting runs on the event loop's thread, the main thread, so that the engine's time
budget (``timeout``, a signal) applies to each lint as it does on the command line.

The transport is iamlint's own (`_next_message`, `_serve`): a message of any shape gets an
answer or a line in the log, never a dead server. A body that is not JSON is a JSON-RPC
parse error (-32700), one that is not a JSON-RPC message an invalid request (-32600), a
request whose parameters do not fit its method an invalid-params error (-32602) with its
id; headers without a usable ``Content-Length`` are skipped to the next message, and a body
is read in chunks, so that a length that lies costs no memory it does not bring.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path, to_fs_path

from ..diagnostics import INPUT_ERRORS, UNUSED_SUPPRESSION
from ..model import Finding, Severity, Span
from ..version import __version__
from . import actions as fixes
from .completion import LOOKBACK, complete
from .documents import UTF8, UTF16, Document, units
from .hover import hover
from .session import CONFIG_NAMES, Session

logger = logging.getLogger("iamlint.server")

#: a change is linted once no other came for this long...
DEBOUNCE = 0.1
#: ... and at the latest this long after the first change not yet linted (seconds)
MAX_WAIT = 0.15
#: a message larger than this is read and dropped, with an error in the log
MAX_MESSAGE = 256 * 1024 * 1024
#: a header line longer than this is no header
MAX_HEADER = 8192
#: messages read ahead of the one being handled (the reader waits beyond that)
QUEUE = 64
#: at most this many findings get code actions in one request
MAX_ACTIONS = 20
#: a document whose lint takes longer than this (seconds) is linted on open and save only,
#: and hover and completion do without its model, until a lint of it is quick again
SLOW = 1.0
FIX_ALL = "source.fixAll.iamlint"
#: the Terraform blocks kept parsed, for the modules being edited (a few MiB at most)
PARSED_BLOCKS = 2000

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


# -- the protocol --------------------------------------------------------------------------------
class IamlintProtocol(LanguageServerProtocol):
    """pygls' protocol, with the position encoding the server chooses and open documents kept
    by the server (`IamlintServer.docs`) rather than in pygls' workspace."""

    _server: IamlintServer

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):
        # UTF-8 when the client offers it, else LSP's default, UTF-16
        caps = params.capabilities
        offered = caps.general.position_encodings if caps.general is not None else None
        chosen = UTF8 if offered and UTF8 in [str(e) for e in offered] else UTF16
        if caps.general is None:
            caps.general = types.GeneralClientCapabilities()
        caps.general.position_encodings = [types.PositionEncodingKind(chosen)]
        self._server.encoding = chosen
        return (yield from super().lsp_initialize(params))

    def _user(self, method: str, params: Any):
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)


class IamlintServer(LanguageServer):
    def __init__(self, registry: Any):
        super().__init__(
            "iamlint",
            __version__,
            protocol_cls=IamlintProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.registry = registry
        self.session = Session(registry)
        self.encoding = UTF16
        #: open documents by URI, and the URI of each by path
        self.docs: dict[str, Document] = {}
        self.paths: dict[str, str] = {}
        #: per URI: the loop time of its first change not yet linted, and the timer
        self.pending: dict[str, tuple[float, asyncio.TimerHandle]] = {}
        #: per URI: (version, findings) of its last lint
        self.findings: dict[str, tuple[int | None, list[Finding]]] = {}
        #: per URI: (text, extraction) of its current text, and of the last text that parsed
        self.models: dict[str, tuple[str, Any]] = {}
        self.good_models: dict[str, tuple[str, Any]] = {}
        #: per URI: the last text it was linted with that parsed (no IAM900)
        self.parsed: dict[str, str] = {}
        #: configuration files that hold diagnostics now, and what was published for each
        self.config_uris: dict[str, Any] = {}
        #: documents too slow to lint as they change (see `SLOW`)
        self.slow: set[str] = set()
        #: per linted document: the files not open that its last lint published findings for
        self.offstage: dict[str, set[str]] = {}

    # -- messages to the client --------------------------------------------------------------
    def log(self, message: str, level: types.MessageType = types.MessageType.Warning) -> None:
        """One line in the client's log (window/logMessage) and on stderr."""
        logger.log({1: logging.ERROR, 2: logging.WARNING}.get(int(level), logging.INFO), "%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=level, message=f"iamlint: {message}"))
        except Exception:  # no transport (yet): stderr has it
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls' default is a pop-up with the error; a line in the log says as much
        self.log(f"{type(error).__name__}: {error}".splitlines()[0], types.MessageType.Error)

    def capability(self, *path: str) -> Any:
        """A client capability by attribute path, None when the client does not say."""
        node: Any = self.protocol.client_capabilities
        for name in path:
            node = getattr(node, name, None) if node is not None else None
        return node

    # -- documents ---------------------------------------------------------------------------
    def texts(self) -> dict[str, str]:
        return {d.path: d.text for d in self.docs.values() if d.path}

    def schedule(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        first = now
        if uri in self.pending:
            first, handle = self.pending[uri]
            handle.cancel()
        delay = max(0.0, min(DEBOUNCE, first + MAX_WAIT - now))
        self.pending[uri] = (first, loop.call_later(delay, self.lint_now, uri))

    def cancel(self, uri: str) -> None:
        got = self.pending.pop(uri, None)
        if got is not None:
            got[1].cancel()

    def lint_now(self, uri: str) -> None:
        """Lint a document (a Terraform one: with its module's open buffers) and publish."""
        self.cancel(uri)
        doc = self.docs.get(uri)
        if doc is None or not doc.path:
            return
        try:
            if self.session.configs_changed():
                self.session.reload()
                self.lint_all()
                return
            started = time.perf_counter()
            results = self.session.lint(doc.path, self.texts())
            took = time.perf_counter() - started
            if took > SLOW:
                if uri not in self.slow:
                    self.log(f"{doc.path} took {took:.1f} s to lint: it is linted on open and save only")
                self.slow.add(uri)
            else:
                self.slow.discard(uri)
            linted = {p for p in results if p == doc.path or p.lower().endswith(".tf") and p in self.paths}
            offstage: set[str] = set()
            for path, found in results.items():
                other = self.paths.get(path)
                if other is not None and path in linted:
                    if other != uri:
                        self.cancel(other)
                    self.publish(other, found)
                elif other is None and found:  # a file not open (a sibling, a file() target)
                    target = from_fs_path(path)
                    if target:
                        offstage.add(target)
                        self.publish_file(target, path, found)
            for gone in self.offstage.get(uri, set()) - offstage:
                if gone not in self.docs:
                    self.text_document_publish_diagnostics(
                        types.PublishDiagnosticsParams(uri=gone, diagnostics=[])
                    )
            self.offstage[uri] = offstage
            self.publish_config_problems()
        except Exception as e:  # a bug: said in the log, and the server goes on
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            self.log(f"cannot lint {doc.path}: {type(e).__name__}: {e}", types.MessageType.Error)

    def lint_all(self) -> None:
        done: set[str] = set()
        for uri, doc in list(self.docs.items()):
            if uri in done:
                continue
            if doc.path and doc.path.lower().endswith(".tf"):
                done.update(
                    self.paths[p] for p in self.session.module_of(doc.path, self.texts()) if p in self.paths
                )
            self.lint_now(uri)
            done.add(uri)
        self.publish_config_problems()

    # -- diagnostics -------------------------------------------------------------------------
    def publish(self, uri: str, found: list[Finding]) -> None:
        doc = self.docs[uri]
        self.findings[uri] = (doc.version, found)
        if not any(f.code == "IAM900" for f in found):
            self.parsed[uri] = doc.text
        diagnostics = [self.diagnostic(doc, f) for f in found]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=doc.version)
        )

    def publish_file(self, uri: str, path: str, found: list[Finding]) -> None:
        """Publish the findings of a file that is not open, positioned in its text on disk."""
        doc = self.document_for(path) or Document(uri, path, "")
        diagnostics = [self.diagnostic(doc, f) for f in found]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
        )

    def document_for(self, path: str) -> Document | None:
        """The open buffer of ``path``, else the file on disk (None when it cannot be read)."""
        uri = self.paths.get(path)
        if uri is not None:
            return self.docs[uri]
        from ..discover import read

        text, _err = read(path, 32 * 1024 * 1024)
        return None if text is None else Document(from_fs_path(path) or path, path, text)

    def lsp_range(self, doc: Document, span: Span) -> types.Range:
        (a, b), (c, d) = doc.range(span, self.encoding)
        return types.Range(start=types.Position(line=a, character=b), end=types.Position(line=c, character=d))

    def diagnostic(self, doc: Document, f: Finding) -> types.Diagnostic:
        message = f"{f.message} [{f.owner}]" if f.owner else f.message
        rule = self.registry.get(f.code)
        href = rule.help_uri() if rule is not None else None
        related = None
        if f.related and self.capability("text_document", "publish_diagnostics", "related_information"):
            related = []
            for span, what in f.related:
                other = doc if span.file in ("", doc.path) else self.document_for(span.file)
                if other is None:
                    continue
                related.append(
                    types.DiagnosticRelatedInformation(
                        location=types.Location(uri=other.uri, range=self.lsp_range(other, span)),
                        message=what,
                    )
                )
        tags = None
        if f.code == UNUSED_SUPPRESSION.code and self.capability(
            "text_document", "publish_diagnostics", "tag_support"
        ):
            tags = [types.DiagnosticTag.Unnecessary]
        return types.Diagnostic(
            range=self.lsp_range(doc, f.span),
            message=message,
            severity=_SEVERITY.get(f.severity, types.DiagnosticSeverity.Warning),
            code=f.code,
            code_description=types.CodeDescription(href=href) if href else None,
            source="iamlint",
            related_information=related or None,
            tags=tags,
        )

    def publish_config_problems(self) -> None:
        """Diagnostics on the configuration files that cannot be used now; cleared on the
        ones that were fixed."""
        now: dict[str, Any] = {}
        for path, p in list(self.session.problems.items()):
            uri = from_fs_path(path)
            if uri is None:
                continue
            now[uri] = p
            if self.config_uris.get(uri) == p:
                continue  # published already
            doc = self.document_for(path) or Document(uri, path, "")
            line = doc.line(p.line - 1)
            start = types.Position(line=p.line - 1, character=units(line[: p.column - 1], self.encoding))
            end = types.Position(line=p.line - 1, character=max(start.character, units(line, self.encoding)))
            diag = types.Diagnostic(
                range=types.Range(start=start, end=end),
                message=f"configuration not applied: {p.message}; linting goes on with the last good configuration",
                severity=types.DiagnosticSeverity.Error,
                code="IAM900" if p.syntax else None,
                source="iamlint",
            )
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[diag])
            )
        for uri in set(self.config_uris) - set(now):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.config_uris = now

    # -- models, for hover, completion and code actions ----------------------------------------
    def model(self, doc: Document, parsed: bool = False) -> Any:
        """What the buffer holds as the linter sees it (its documents, principals), or with
        ``parsed``, what its last text that parsed held (for completion while typing)."""
        cache = self.good_models if parsed else self.models
        text = self.parsed.get(doc.uri) if parsed else doc.text
        if text is None or not doc.path or doc.uri in self.slow:
            return None
        got = cache.get(doc.uri)
        if got is not None and got[0] is text:
            return got[1]
        ex = self.session.extract(doc.path, {**self.texts(), doc.path: text})
        cache[doc.uri] = (text, ex)
        return ex

    def forget(self, uri: str) -> None:
        for table in (self.findings, self.models, self.good_models, self.parsed):
            table.pop(uri, None)


# -- the features ----------------------------------------------------------------------------------
def build(registry: Any) -> IamlintServer:
    server = IamlintServer(registry)

    @server.feature(types.INITIALIZE)
    def initialize(ls: IamlintServer, params: types.InitializeParams) -> None:
        folders = [f.uri for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [params.root_uri]
        paths = [p for p in (to_fs_path(u) for u in folders) if p]
        if not paths and params.root_path:
            paths = [params.root_path]
        ls.session.set_folders(paths)

    @server.feature(types.INITIALIZED)
    def initialized(ls: IamlintServer, params: types.InitializedParams) -> None:
        if ls.capability("workspace", "did_change_watched_files", "dynamic_registration"):
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            registration = types.Registration(
                id="iamlint-configuration",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
            ls.client_register_capability(types.RegistrationParams(registrations=[registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: IamlintServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        path = to_fs_path(item.uri) if item.uri.startswith("file:") else None
        if item.uri in ls.docs:
            ls.log(f"{item.uri} opened twice; its text is replaced", types.MessageType.Info)
        doc = Document(
            item.uri, os.path.abspath(path) if path else "", item.text, item.version, item.language_id
        )
        ls.docs[item.uri] = doc
        if doc.path:
            ls.paths[doc.path] = item.uri
            if doc.path.lower().endswith(".tf"):
                _check_directory(ls, doc.path)
            ls.lint_now(item.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: IamlintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.docs.get(uri)
        if doc is None:
            ls.log(f"textDocument/didChange for {uri}, which is not open: ignored (open it first)")
            return
        for change in params.content_changes:
            rng = getattr(change, "range", None)
            if rng is None:
                doc.set_text(change.text)
            else:
                start = doc.offset(rng.start.line, rng.start.character, ls.encoding)
                end = doc.offset(rng.end.line, rng.end.character, ls.encoding)
                doc.replace(start, max(start, end), change.text)
        doc.version = params.text_document.version
        if doc.path and uri not in ls.slow:
            ls.schedule(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: IamlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.docs.get(uri)
        path = doc.path if doc is not None else to_fs_path(uri)
        if path and os.path.basename(path) in CONFIG_NAMES:
            ls.session.reload()
            ls.lint_all()
            return
        if doc is None:
            return
        if params.text is not None:
            doc.set_text(params.text)
        ls.lint_now(uri)
        if doc.path and not doc.path.lower().endswith(".tf"):
            # a policy a module reads with file() changed on disk: lint the open modules again
            modules = {os.path.dirname(p): u for p, u in ls.paths.items() if p.lower().endswith(".tf")}
            for other in modules.values():
                ls.lint_now(other)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: IamlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.cancel(uri)
        doc = ls.docs.pop(uri, None)
        ls.forget(uri)
        if doc is None:
            return
        if doc.path and ls.paths.get(doc.path) == uri:
            del ls.paths[doc.path]
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for gone in ls.offstage.pop(uri, set()):
            if gone not in ls.docs:
                ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=gone, diagnostics=[]))
        if doc.path.lower().endswith(".tf"):  # its module goes on with the file on disk
            for other in ls.session.module_of(doc.path, ls.texts()):
                if other != doc.path and other in ls.paths:
                    ls.lint_now(ls.paths[other])
                    break

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: IamlintServer, params: types.DidChangeWatchedFilesParams) -> None:
        changed = False
        for change in params.changes:
            path = to_fs_path(change.uri)
            if path and os.path.basename(path) in CONFIG_NAMES:
                changed = True
                if change.type == types.FileChangeType.Deleted:
                    ls.session.forget(os.path.abspath(path))
        if changed:
            ls.session.reload()
            ls.lint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders(ls: IamlintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        current = {os.path.abspath(f) for f in ls.session.folders}
        for f in params.event.removed:
            p = to_fs_path(f.uri)
            if p:
                current.discard(os.path.abspath(p))
        for f in params.event.added:
            p = to_fs_path(f.uri)
            if p:
                current.add(os.path.abspath(p))
        ls.session.set_folders(current)
        ls.lint_all()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: IamlintServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.docs.get(params.text_document.uri)
        if doc is None or not doc.path:
            return None
        pos = params.position
        line, column = doc.location(pos.line, pos.character, ls.encoding)
        found = hover(ls.model(doc), doc.path, line, column, doc.line(pos.line))
        if found is None:
            return None
        text, span = found
        formats = ls.capability("text_document", "hover", "content_format") or [types.MarkupKind.Markdown]
        kind = (
            types.MarkupKind.Markdown if types.MarkupKind.Markdown in formats else types.MarkupKind.PlainText
        )
        return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=ls.lsp_range(doc, span))

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", '"', "'"])
    )
    def on_completion(ls: IamlintServer, params: types.CompletionParams) -> types.CompletionList | None:
        doc = ls.docs.get(params.text_document.uri)
        if doc is None or not doc.path:
            return None
        pos = params.position
        offset = doc.offset(pos.line, pos.character, ls.encoding)
        line_start = doc.offset(pos.line, 0, ls.encoding)
        before = doc.text[max(0, offset - LOOKBACK) : offset]
        line_before = doc.text[line_start:offset]
        ex = ls.model(doc)
        if ex is None or not ex.documents:
            ex = ls.model(doc, parsed=True)
        word, items = complete(before, line_before, ex, doc.path, pos.line + 1)
        if not items:
            return None
        start = types.Position(
            line=pos.line, character=units(line_before[: len(line_before) - len(word)], ls.encoding)
        )
        rng = types.Range(
            start=start, end=types.Position(line=pos.line, character=units(line_before, ls.encoding))
        )
        kinds = {
            "service": types.CompletionItemKind.Module,
            "action": types.CompletionItemKind.Function,
            "key": types.CompletionItemKind.Property,
        }
        out = [
            types.CompletionItem(
                label=i.label,
                kind=kinds[i.kind],
                detail=i.detail or None,
                filter_text=i.insert,
                text_edit=types.TextEdit(range=rng, new_text=i.insert),
            )
            for i in items
        ]
        return types.CompletionList(is_incomplete=False, items=out)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def on_code_action(ls: IamlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        doc = ls.docs.get(params.text_document.uri)
        if doc is None or not doc.path:
            return None
        only = [str(k) for k in params.context.only or []]

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(k + ".") for k in only)

        if doc.uri in ls.slow:
            return None  # each action is checked by linting the edited text: too slow here
        if doc.uri in ls.pending or ls.findings.get(doc.uri, (None,))[0] != doc.version:
            ls.lint_now(doc.uri)  # actions for the text as it is now
        found = ls.findings.get(doc.uri, (None, []))[1]
        out: list[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix):
            for f in _chosen(ls, doc, found, params)[:MAX_ACTIONS]:
                fixed = _quick_fix(ls, doc, f)
                if fixed is not None:
                    out.append(fixed)
                action = _suppression(ls, doc, f, found)
                if action is not None:
                    out.append(action)
        if wanted(FIX_ALL):
            action = _fix_all(ls, doc, found)
            if action is not None:
                out.append(action)
        return out or None

    return server


def _check_directory(ls: IamlintServer, path: str) -> None:
    """Say once when a Terraform buffer's directory cannot be listed: its module's other
    files are not read, so the buffer is linted alone."""
    directory = os.path.dirname(path)
    try:
        os.listdir(directory)
    except OSError as e:
        from ..discover import reason

        ls.log(
            f"cannot read the directory {directory} ({reason(e)}): {os.path.basename(path)} is linted "
            "without the other files of its module"
        )


# -- code actions ----------------------------------------------------------------------------------
def _chosen(
    ls: IamlintServer, doc: Document, found: list[Finding], params: types.CodeActionParams
) -> list[Finding]:
    """The findings the request is about: the diagnostics it names, else those in its range."""
    candidates = [f for f in found if f.code not in INPUT_ERRORS and f.code != UNUSED_SUPPRESSION.code]
    named = [(d.code, d.range.start.line, d.range.start.character) for d in params.context.diagnostics or []]
    if named:
        out = []
        for f in candidates:
            r = ls.lsp_range(doc, f.span)
            if (f.code, r.start.line, r.start.character) in named:
                out.append(f)
        return out
    a = (params.range.start.line, params.range.start.character)
    b = (params.range.end.line, params.range.end.character)
    out = []
    for f in candidates:
        r = ls.lsp_range(doc, f.span)
        if (r.start.line, r.start.character) <= b and a <= (r.end.line, r.end.character):
            out.append(f)
    return out


def _suppression(
    ls: IamlintServer, doc: Document, f: Finding, found: list[Finding]
) -> types.CodeAction | None:
    ex = ls.model(doc)
    fmt = ex.format if ex is not None else None
    path = doc.path
    texts = ls.texts()

    def lint(text: str) -> list[Finding]:
        return ls.session.lint(path, {**texts, path: text}).get(path, [])

    fix: fixes.Fix | None
    if fmt in ("json", "terraform-plan"):
        cfg = ls.session.config_for(path)
        config_path = cfg.path if cfg.path and cfg.path.endswith(".toml") else None
        home = ls.session.folder_of(path) or ls.session.repository(path)
        if config_path is None and not _can_create(ls):
            return None
        fix = fixes.config_entry(path, f, config_path, home, ls.registry)
    else:
        style = "metadata" if fmt == "cloudformation" and doc.text.lstrip().startswith("{") else "comment"
        stmt_line = None
        if ex is not None:
            from .completion import statement_at

            stmt = statement_at(ex, path, f.span.line)
            stmt_line = stmt.span.line if stmt is not None else None
        fix = fixes.suppress(path, doc.text, style, f, found, lint, stmt_line)
    if fix is None:
        return None
    return _code_action(ls, doc, f, fix, types.CodeActionKind.QuickFix)


def _quick_fix(ls: IamlintServer, doc: Document, f: Finding) -> types.CodeAction | None:
    """The fix engine's fix of one finding (`iamlint.fixes`), when the text holds what it expects."""
    from ..fixes import plan

    if f.fix is None or f.span.file != doc.path:
        return None
    planned = plan(f, doc.text)
    if planned is None or not planned.edits:
        return None
    title = planned.title if planned.safe else f"{planned.title} (unsafe: changes what the policy means)"
    edits = tuple(
        fixes.Edit(doc.path, e.line, e.column, e.end_line, e.end_column, e.text) for e in planned.edits
    )
    action = _code_action(ls, doc, f, fixes.Fix(title, edits), types.CodeActionKind.QuickFix)
    action.is_preferred = planned.safe
    return action


def _fix_all(ls: IamlintServer, doc: Document, found: list[Finding]) -> types.CodeAction | None:
    """Every safe fix of the buffer, applied and re-linted until none applies (as
    ``iamlint --fix``), as one edit of the whole buffer."""
    from ..fixes import fix_text

    path = doc.path
    if not any(f.fix is not None and f.fix.safe for f in found):
        return None
    texts = ls.texts()

    def lint(text: str) -> list[Finding]:
        return ls.session.lint(path, {**texts, path: text}).get(path, [])

    result = fix_text(doc.text, lint, path, findings=found)
    if not result.applied or result.text == doc.text:
        return None
    end = ls.lsp_range(doc, Span(path, doc.line_count + 1, 1, doc.line_count + 1, 1)).end
    edit = types.TextEdit(
        range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=result.text
    )
    n = len(result.applied)
    return types.CodeAction(
        title=f"iamlint: apply {n} safe fix{'es' if n != 1 else ''}",
        kind=FIX_ALL,
        edit=types.WorkspaceEdit(changes={doc.uri: [edit]}),
    )


def _can_create(ls: IamlintServer) -> bool:
    ops = ls.capability("workspace", "workspace_edit", "resource_operations") or []
    return types.ResourceOperationKind.Create in ops and bool(
        ls.capability("workspace", "workspace_edit", "document_changes")
    )


def _code_action(
    ls: IamlintServer, doc: Document, f: Finding, fix: fixes.Fix, kind: types.CodeActionKind | str
) -> types.CodeAction:
    by_uri: dict[str, list[types.TextEdit]] = {}
    for e in fix.edits:
        target = doc if e.path == doc.path else ls.document_for(e.path)
        if target is None:
            target = Document(from_fs_path(e.path) or e.path, e.path, "")
        span = Span(e.path, e.line, e.column, e.end_line, e.end_column)
        by_uri.setdefault(target.uri, []).append(
            types.TextEdit(range=ls.lsp_range(target, span), new_text=e.text)
        )
    if fix.create is not None:
        uri = from_fs_path(fix.create) or fix.create
        changes: list[Any] = [
            types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True))
        ]
        for target_uri, edits in by_uri.items():
            changes.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=target_uri, version=None),
                    edits=edits,
                )
            )
        edit = types.WorkspaceEdit(document_changes=changes)
    else:
        edit = types.WorkspaceEdit(changes=by_uri)
    return types.CodeAction(title=fix.title, kind=kind, diagnostics=[ls.diagnostic(doc, f)], edit=edit)


# -- the transport ---------------------------------------------------------------------------------
def _next_message(stream: Any) -> tuple[str, Any]:
    """The next message on ``stream``: ("message", body bytes), ("error", what is wrong,
    for the log) or ("eof", None)."""
    length: int | None = None
    seen = False
    problem = None
    while True:
        line = stream.readline(MAX_HEADER)
        if not line:
            return "eof", None
        if line in (b"\r\n", b"\n"):
            if not seen:
                continue  # blank lines between messages
            break
        if len(line) >= MAX_HEADER and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # the rest of an overlong line
                line = stream.readline(MAX_HEADER)
            problem = problem or "a header line longer than 8 KiB"
            continue
        text = line.decode("ascii", "replace").strip()
        at = text.lower().find("content-length:")
        if not seen and at > 0:  # the end of a body that had no usable length, then a header
            text = text[at:]
        name, colon, value = text.partition(":")
        if not colon:
            problem = problem or f"not a header: {text[:60]!r}"
            continue
        seen = True
        if name.strip().lower() == "content-length":
            v = value.strip()
            length = int(v) if v.isdigit() and len(v) < 19 else None
            if length is None:
                problem = f"Content-Length is not a number: {v[:30]!r}"
    if length is None:
        return "error", problem or "a message without Content-Length"
    if length > MAX_MESSAGE:
        left = length
        while left > 0:
            chunk = stream.read(min(left, 1 << 20))
            if not chunk:
                return "eof", None
            left -= len(chunk)
        return "error", f"a message of {length:,} bytes, over the {MAX_MESSAGE >> 20} MiB limit: dropped"
    body = bytearray()
    while len(body) < length:
        chunk = stream.read(min(length - len(body), 1 << 20))
        if not chunk:
            return "eof", None
        body += chunk
    return "message", bytes(body)


class _OneLine(logging.Formatter):
    """Log records as one line each, without tracebacks (unless IAMLINT_DEBUG is set)."""

    def __init__(self, debug: bool):
        super().__init__("iamlint server: %(levelname)s: %(message)s")
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if self.debug:
            return super().format(record)
        record = logging.makeLogRecord(record.__dict__)
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return super().format(record).splitlines()[0]


def _error(server: IamlintServer, msg_id: Any, code: int, message: str) -> None:
    """A JSON-RPC error response (id null when the message's id is unknown or invalid)."""
    if not isinstance(msg_id, (str, int)) or isinstance(msg_id, bool):
        msg_id = None
    server.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})


def _receive(server: IamlintServer, body: bytes) -> None:
    """Handle one message body, whatever it holds."""
    from pygls.exceptions import JsonRpcException

    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as e:
        server.log(f"a message that is not JSON ({e}); answered with a parse error")
        _error(server, None, -32700, f"Parse error: {e}")
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        server.log("a message that is not a JSON-RPC 2.0 object; answered with an invalid-request error")
        _error(server, data.get("id") if isinstance(data, dict) else None, -32600, "Invalid Request")
        return
    method = data.get("method")
    if "method" in data and not isinstance(method, str):
        _error(server, data.get("id"), -32600, "Invalid Request: method must be a string")
        return
    is_request = method is not None and "id" in data
    try:
        message = server.protocol.structure_message(data)
    except JsonRpcException as e:
        server.log(f"{method or 'a response'}: parameters that do not fit the method ({e.message or e})")
        if is_request:
            _error(server, data.get("id"), e.code, f"{e.message or 'Invalid params'} for {method}")
        return
    except Exception as e:
        server.log(f"{method or 'a response'}: a message that cannot be read ({type(e).__name__})")
        if is_request:
            _error(server, data.get("id"), -32600, "Invalid Request")
        return
    try:
        server.protocol.handle_message(message)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as e:
        if os.environ.get("IAMLINT_DEBUG"):
            raise
        server.log(f"{method or 'a response'}: {type(e).__name__}: {e}", types.MessageType.Error)
        if is_request:
            _error(server, data.get("id"), -32603, f"Internal error: {type(e).__name__}")


async def _serve(server: IamlintServer, stream: Any) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue(QUEUE)

    def read() -> None:  # a daemon thread: a read that blocks never holds the process up
        while True:
            try:
                item = _next_message(stream)
            except (OSError, ValueError) as e:
                item = ("eof", str(e))
            try:
                asyncio.run_coroutine_threadsafe(queue.put(item), loop).result()
            except RuntimeError:  # the loop is gone
                return
            if item[0] == "eof":
                return

    threading.Thread(target=read, name="iamlint-server-reader", daemon=True).start()
    while True:
        kind, payload = await queue.get()
        if kind == "eof":
            return
        if kind == "error":
            server.log(f"a malformed message: {payload}; skipped to the next one")
            _error(server, None, -32600, f"Invalid Request: {payload}")
            continue
        _receive(server, payload)
        await asyncio.sleep(0)  # timers (debounced lints) run between messages


class _Writer:
    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.stream.flush()

    def close(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass


def serve(registry: Any, debug: bool = False, stdin: Any = None, stdout: Any = None) -> int:
    """Serve on stdin/stdout until ``exit`` or the end of stdin."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(debug))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    if stdout is None:
        # the protocol owns the real stdout; anything else printed goes to stderr
        stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        sys.stdout = sys.stderr
    # a Terraform module's files that did not change are not parsed again at each lint
    from ..parse.hcl_tree import keep_parsed_blocks

    keep_parsed_blocks(PARSED_BLOCKS)
    server = build(registry)
    server.protocol.set_writer(_Writer(stdout))
    code = 0
    try:
        asyncio.run(_serve(server, stdin if stdin is not None else sys.stdin.buffer))
    except SystemExit as e:  # the client's exit: 0 after a shutdown request, else 1
        code = e.code if isinstance(e.code, int) else 1
    except BrokenPipeError:
        logger.warning("the client closed the connection")
        code = 1
    except KeyboardInterrupt:
        code = 130
    if stdin is None:
        # the reader thread may be blocked reading stdin, holding its lock: the interpreter's
        # shutdown would wait for it (or abort), so the process ends here
        for stream in (sys.stderr, stdout):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    return code
