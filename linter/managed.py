"""The offline index of AWS managed policies: name -> document, path, version, deprecation.

Built by ``scripts/build_managed_policies.py`` from Ian Mckay's iam-dataset (MIT) into
``iamlint/data/managed_policies.json.gz`` (see docs/managed-policies.md). Importing this
module reads nothing; :func:`get` reads the index on first use (a few ms), and a policy's
document is decompressed and parsed only when that policy is first looked up.

    >>> from iamlint import managed
    >>> mp = managed.get()
    >>> p = mp.by_arn("arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    >>> p.name, p.path, p.is_service_role
    ('AWSLambdaBasicExecutionRole', '/service-role/', True)
    >>> mp.lookup("administratoraccess").document["Statement"][0]["Action"]
    ['*']
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

__all__ = ["DATA_FILE", "ManagedPolicies", "ManagedPolicy", "ManagedPolicyError", "get", "load"]

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "managed_policies.json.gz")
FORMAT = 1
_DOCUMENTS_KEY = b',"documents":['
# arn:<partition>:iam::aws:policy/<path><name>; the partitions as linter/extract/graph.py knows them.
_ARN = r"arn:(aws(?:-cn|-us-gov|-iso[a-z-]*|-eusc)?):iam::aws:policy(/(?:[^/\s]+/)*)([^/\s]+)"


class ManagedPolicyError(Exception):
    """The data file is missing, unreadable, corrupt or of another format."""


class ManagedPolicy(NamedTuple):
    """One AWS managed policy. (A named tuple, not a dataclass: cheaper to import.)

    ``document`` is shared by every lookup of the policy: treat it as read-only.
    """

    name: str  # AWS's spelling: "AWSLambdaBasicExecutionRole"
    path: str | None  # "/", "/service-role/", "/aws-service-role/", "/job-function/", ...; None: unknown
    arn: str | None  # in the aws partition; None when the path is unknown
    version: str | None  # the default version, "v3"; None: unknown
    deprecated: bool  # AWS deprecated it: it cannot be attached anew (docs/managed-policies.md)
    updated: str  # YYYY-MM-DD: when the current version was published
    document: dict[str, Any]  # AWS's document as the dataset keeps it (docs/managed-policies.md)

    @property
    def is_service_linked(self) -> bool:
        """Whether it is a service-linked role's policy (path ``/aws-service-role/``)."""
        return self.path == "/aws-service-role/"

    @property
    def is_service_role(self) -> bool:
        """Whether it is meant for a service role (path ``/service-role/``)."""
        return self.path == "/service-role/"

    @property
    def is_job_function(self) -> bool:
        """Whether it is a job function policy (path ``/job-function/``)."""
        return self.path == "/job-function/"

    @property
    def is_permissions_boundary(self) -> bool:
        """Whether AWS publishes it as a permissions boundary: AWS names its managed
        boundaries so (``AmazonDataZoneSageMakerEnvironmentRolePermissionsBoundary``,
        ``AWSQuickSetupPatchPolicyPermissionsBoundary``), and the name is the only field of
        the dataset that says it (it keeps no description; docs/managed-policies.md)."""
        return self.name.endswith("PermissionsBoundary")

    def __repr__(self) -> str:
        """Everything but the document, which can run to 190 KB, summarised."""
        statements = self.document.get("Statement")
        n = len(statements) if isinstance(statements, list) else 1
        return (
            f"ManagedPolicy(name={self.name!r}, path={self.path!r}, version={self.version!r}, "
            f"deprecated={self.deprecated!r}, updated={self.updated!r}, document=<{n} statement(s)>)"
        )


class ManagedPolicies:
    """The index. Use :func:`get` for the shared instance."""

    def __init__(self, raw: bytes, path: str = "<bytes>"):
        """Decode the index part of a data file's bytes (the documents stay compressed)."""
        import json
        import zlib

        self._path = path
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            head = d.decompress(raw)
            if not d.eof:
                raise ValueError("truncated")
            if not head.endswith(_DOCUMENTS_KEY):
                raise ValueError("no document list after the index")
            doc = json.loads(head[: -len(_DOCUMENTS_KEY)] + b"}")
        except (ValueError, zlib.error) as e:
            raise ManagedPolicyError(f"cannot read the managed policy index {path}: {e}") from e
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            found = doc.get("format") if isinstance(doc, dict) else "?"
            raise ManagedPolicyError(
                f"managed policy data {path} is of format {found}, expected {FORMAT}: rebuild or reinstall iamlint"
            )
        try:
            self.source: dict[str, Any] = doc["source"]
            self._names: list[str] = doc["names"].split(" ")
            self._records: list[str] = doc["records"]
            self._chunks: list[list[int]] = doc["chunks"]
            count = int(doc["count"])
            base = len(raw) - len(d.unused_data)
            end = self._chunks[-1][0] + self._chunks[-1][1]
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            raise ManagedPolicyError(f"managed policy data {path} is corrupt: {e!r}") from e
        if not count == len(self._names) == len(self._records) or base + end != len(raw):
            raise ManagedPolicyError(f"managed policy data {path} is corrupt or truncated")
        self._raw = raw
        self._base = base
        self._index: dict[str, int] = {n: i for i, n in enumerate(self._names)}
        self._lower: dict[str, int] | None = None
        self._texts: dict[int, bytes] = {}
        self._policies: dict[int, ManagedPolicy] = {}

    # -- lookups ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    def names(self) -> tuple[str, ...]:
        """Every policy name, in AWS's spelling, sorted."""
        return tuple(self._names)

    def _find(self, name: str) -> int | None:
        i = self._index.get(name)
        if i is None:
            if self._lower is None:
                self._lower = {n.lower(): j for j, n in enumerate(self._names)}
            i = self._lower.get(name.strip().lower())
        return i

    def lookup(self, name: str) -> ManagedPolicy | None:
        """The policy of this name (AWS's spelling first, then any case), else None.

        The first lookup of a policy decompresses the part of the file holding its document
        and parses it; later lookups return the same object.
        """
        i = self._find(name)
        return None if i is None else self._policy(i)

    def by_arn(self, arn: str) -> ManagedPolicy | None:
        """The policy of ``arn:<partition>:iam::aws:policy/<path><name>``, else None.

        Any partition (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso*``, ``aws-eusc``). The
        path must be the policy's (``service-role/`` for AWSLambdaBasicExecutionRole), in
        any case like the name; a policy whose path the data does not know matches any path.
        """
        import re

        m = re.fullmatch(_ARN, arn.strip())
        if m is None:
            return None
        policy = self.lookup(m[3])
        if policy is None or (policy.path is not None and policy.path.lower() != m[2].lower()):
            return None
        return policy

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Up to ``n`` known names close to a misspelt one, closest first (did-you-mean)."""
        import difflib

        if self._lower is None:
            self._lower = {p.lower(): j for j, p in enumerate(self._names)}
        near = difflib.get_close_matches(name.strip().lower(), list(self._lower), n=n, cutoff=0.6)
        return [self._names[self._lower[x]] for x in near]

    # -- decoding ----------------------------------------------------------------------------

    def _policy(self, i: int) -> ManagedPolicy:
        got = self._policies.get(i)
        if got is None:
            import json

            name = self._names[i]
            try:
                path, version, deprecated, updated, chunk, start, length = self._records[i].split(" ")
                text = self._text(int(chunk))
                document = json.loads(text[int(start) : int(start) + int(length)])
            except (ValueError, TypeError, IndexError) as e:
                raise ManagedPolicyError(f"managed policy data {self._path} is corrupt at {name}: {e}") from e
            if not isinstance(document, dict):
                raise ManagedPolicyError(
                    f"managed policy data {self._path} is corrupt at {name}: not a document"
                )
            known_path = None if path == "?" else path
            got = self._policies[i] = ManagedPolicy(
                name=name,
                path=known_path,
                arn=None if known_path is None else f"arn:aws:iam::aws:policy{known_path}{name}",
                version=None if version == "?" else version,
                deprecated=deprecated == "1",
                updated=updated,
                document=document,
            )
        return got

    def _text(self, chunk: int) -> bytes:
        """The decompressed text of one gzip member holding documents (cached)."""
        got = self._texts.get(chunk)
        if got is None:
            import zlib

            offset, length = self._chunks[chunk]
            start = self._base + offset
            try:
                got = zlib.decompress(self._raw[start : start + length], 16 + zlib.MAX_WBITS)
            except zlib.error as e:
                raise ManagedPolicyError(f"managed policy data {self._path} is corrupt: {e}") from e
            self._texts[chunk] = got
        return got

    # -- provenance --------------------------------------------------------------------------

    def describe(self) -> str:
        """One line for ``iamlint --version``."""
        src = self.source
        return f"AWS managed policies: {len(self):,} from {src['name']} {src['commit'][:7]} ({src['date']})"

    def __repr__(self) -> str:
        return f"<ManagedPolicies {len(self)} policies>"


def load(path: str | os.PathLike[str] | None = None) -> ManagedPolicies:
    """Read a managed policy data file (default: the one shipped in the package). Prefer :func:`get`."""
    target = os.fspath(path) if path is not None else DATA_FILE
    try:
        with open(target, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ManagedPolicyError(f"cannot read the managed policy index {target}: {e}") from e
    return ManagedPolicies(raw, target)


_shared: ManagedPolicies | None = None


def get() -> ManagedPolicies:
    """The shipped index, read on first use and shared afterwards.

    (Two threads racing through the first call may each read the file; both get an
    equal index and one of them is kept.)
    """
    global _shared
    if _shared is None:
        _shared = load()
    return _shared
