"""The AWS managed policy index (iamlint.managed) on the real shipped data, and its build script."""

from __future__ import annotations

import collections
import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from iamlint import managed
from iamlint.managed import ManagedPolicies, ManagedPolicy, ManagedPolicyError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_managed_policies.py"
# The shared corpus beside the work tree; a user's clone has none (the reproducibility test skips).
DATASET = ROOT.parent / "shared" / "corpus" / "realworld" / "iann0036__iam-dataset"


@pytest.fixture(scope="module")
def mp() -> ManagedPolicies:
    return managed.get()


def build_script():
    spec = importlib.util.spec_from_file_location("build_managed_policies", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_managed_policies"] = mod
    spec.loader.exec_module(mod)
    return mod


# -- facts about real policies --------------------------------------------------------------


def test_administrator_access_grants_everything(mp):
    p = mp.lookup("AdministratorAccess")
    assert isinstance(p, ManagedPolicy)
    assert p.document == {
        "Statement": [{"Action": ["*"], "Effect": "Allow", "Resource": "*"}],
        "Version": "2012-10-17",
    }
    assert (p.name, p.path, p.arn) == (
        "AdministratorAccess",
        "/",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    )
    assert (p.version, p.deprecated, p.updated) == (
        None,
        False,
        "2015-02-06",
    )  # the dataset lacks its version
    assert not (p.is_service_linked or p.is_service_role or p.is_job_function)


def test_opsworks_register_cli_can_create_users_and_their_keys(mp):
    p = mp.lookup("AWSOpsWorksRegisterCLI")
    iam = [s for s in p.document["Statement"] if any(a.startswith("iam:") for a in s["Action"])]
    assert iam == [
        {
            "Action": [
                "iam:AddUserToGroup",
                "iam:CreateAccessKey",
                "iam:CreateGroup",
                "iam:CreateUser",
                "iam:ListInstanceProfiles",
                "iam:PassRole",
                "iam:PutUserPolicy",
            ],
            "Effect": "Allow",
            "Resource": ["*"],
        }
    ]
    assert "iam:CreateUser" in iam[0]["Action"] and "iam:CreateAccessKey" in iam[0]["Action"]
    # Deprecated: the dataset has no ARN, hence no path, for the policies AWS no longer lists.
    assert (p.deprecated, p.version, p.updated, p.path, p.arn) == (True, "v1", "2015-02-06", None, None)


def test_service_role_policy(mp):
    p = mp.lookup("AWSLambdaBasicExecutionRole")
    assert p.path == "/service-role/"
    assert p.arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert (p.is_service_role, p.is_service_linked, p.is_job_function) == (True, False, False)
    assert (p.version, p.deprecated, p.updated) == ("v1", False, "2015-04-09")
    assert p.document == {
        "Statement": [
            {
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": "*",
            }
        ],
        "Version": "2012-10-17",
    }


def test_service_linked_and_job_function_policies(mp):
    slr = mp.lookup("AWSSupportServiceRolePolicy")
    assert slr.path == "/aws-service-role/" and slr.is_service_linked and not slr.is_service_role
    assert slr.arn == "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"
    job = mp.lookup("ViewOnlyAccess")
    assert job.path == "/job-function/" and job.is_job_function and not job.is_service_linked


def test_every_policy_decodes(mp):
    paths: collections.Counter[str | None] = collections.Counter()
    for name in mp.names():
        p = mp.lookup(name)
        assert p.name == name
        assert isinstance(p.document, dict) and "Statement" in p.document, name
        assert p.arn == (None if p.path is None else f"arn:aws:iam::aws:policy{p.path}{name}")
        assert len(p.updated) == 10 and p.updated[4] == p.updated[7] == "-"
        paths[p.path] += 1
    assert paths == {
        "/": 970,
        "/aws-service-role/": 356,
        "/service-role/": 226,
        None: 75,
        "/job-function/": 11,
        "/root-task/": 5,
    }
    assert sum(mp.lookup(n).deprecated for n in mp.names()) == 74
    assert [n for n in mp.names() if mp.lookup(n).version is None] == [
        "AdministratorAccess",
        "PowerUserAccess",
    ]


# -- lookups ----------------------------------------------------------------------------------


def test_lookup_case_insensitive_and_shared(mp):
    exact = mp.lookup("AdministratorAccess")
    assert mp.lookup("administratoraccess") is exact
    assert mp.lookup("ADMINISTRATORACCESS") is exact
    assert mp.lookup(" AdministratorAccess ") is exact
    assert "administratorAccess" in mp and "NoSuchPolicy" not in mp and 42 not in mp


@pytest.mark.parametrize("name", ["NoSuchPolicy", "", "Administrator Access", "AdministratorAcess", "*"])
def test_unknown_name_is_none(mp, name):
    assert mp.lookup(name) is None


@pytest.mark.parametrize(
    "arn, name",
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        ("arn:aws-cn:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        ("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ("arn:aws-iso:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ("arn:aws-iso-b:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"),
        (
            "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSLambdaBasicExecutionRole",
        ),
        (
            "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy",
            "AWSSupportServiceRolePolicy",
        ),
        ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess"),
        ("arn:aws:iam::aws:policy/service-role/awslambdabasicexecutionrole", "AWSLambdaBasicExecutionRole"),
        # the data has no path for it: any path matches
        ("arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI", "AWSOpsWorksRegisterCLI"),
    ],
)
def test_by_arn(mp, arn, name):
    p = mp.by_arn(arn)
    assert p is not None and p.name == name
    assert p is mp.lookup(name)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",  # its path is /service-role/
        "arn:aws:iam::aws:policy/job-function/AdministratorAccess",
        "arn:aws:iam::123456789012:policy/AdministratorAccess",  # a customer managed policy
        "arn:aws:iam::aws:policy/NoSuchPolicy",
        "arn:aws:iam::aws:role/AdministratorAccess",
        "arn:aws-xx:iam::aws:policy/AdministratorAccess",
        "arn:aws:s3::aws:policy/AdministratorAccess",
        "AdministratorAccess",
        "arn:aws:iam::aws:policy/",
        "",
    ],
)
def test_by_arn_none(mp, arn):
    assert mp.by_arn(arn) is None


def test_suggest(mp):
    assert mp.suggest("AdministratorAcess") == [
        "AdministratorAccess",
        "AdministratorAccess-Amplify",
        "SystemAdministrator",
    ]
    assert mp.suggest("AdministratorAcess", n=1) == ["AdministratorAccess"]
    assert mp.suggest("awslambdabasicexecutionrol", n=1) == ["AWSLambdaBasicExecutionRole"]
    assert mp.suggest("qqqqqqqqqqqq") == []


def test_names_len_and_describe(mp):
    names = mp.names()
    assert len(names) == len(mp) == 1643
    assert list(names) == sorted(names)
    assert names[:2] == ("AIDevOpsAgentAccessPolicy", "AIDevOpsAgentFullAccess")
    assert mp.describe() == "AWS managed policies: 1,643 from iam-dataset 2073fa5 (2026-08-22)"
    assert repr(mp) == "<ManagedPolicies 1643 policies>"


def test_source_header(mp):
    src = mp.source
    assert {k: src[k] for k in ("name", "repository", "url", "commit", "date", "license", "policies")} == {
        "name": "iam-dataset",
        "repository": "iann0036/iam-dataset",
        "url": "https://github.com/iann0036/iam-dataset",
        "commit": "2073fa52ac008a45477aa0b1b4580cd99135bf60",
        "date": "2026-08-22",
        "license": "MIT",
        "policies": 1643,
    }
    assert src["notice"].startswith("MIT License\n\nCopyright (c) 2021 Ian Mckay\n")
    assert (
        src["notice"]
        == (ROOT / "docs" / "licenses" / "iam-dataset-LICENSE.txt").read_text(encoding="utf-8").strip()
    )
    assert sorted(src["notes"]) == ["AdministratorAccess", "PowerUserAccess"]


def test_repr_leaves_the_document_out(mp):
    assert repr(mp.lookup("AWSLambdaBasicExecutionRole")) == (
        "ManagedPolicy(name='AWSLambdaBasicExecutionRole', path='/service-role/', version='v1', "
        "deprecated=False, updated='2015-04-09', document=<1 statement(s)>)"
    )


def test_get_is_a_singleton():
    assert managed.get() is managed.get()


# -- the data file and loading -----------------------------------------------------------------


def test_data_file_is_one_json_document_and_ships_in_the_package():
    path = Path(managed.DATA_FILE)
    assert path.parent.name == "data" and (path.parent / "__init__.py").exists()
    assert path.name.endswith(".json.gz")  # matched by the iamlint.data package-data globs
    assert path.stat().st_size < 600_000
    whole = json.loads(gzip.decompress(path.read_bytes()))  # every gzip member, concatenated
    assert whole["format"] == managed.FORMAT
    assert len(whole["documents"]) == whole["count"] == 1643
    i = whole["names"].split(" ").index("AdministratorAccess")
    assert whole["documents"][i]["Statement"][0]["Action"] == ["*"]


def test_import_reads_nothing():
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda ev, args: ev == 'open' and 'managed_policies' in str(args[0]) and opened.append(1))\n"
        "import iamlint.managed as m\n"
        "assert not opened and m._shared is None, 'read at import'\n"
        "m.get().lookup('AdministratorAccess')\n"
        "assert opened == [1], opened\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


@pytest.fixture
def shipped() -> bytes:
    return Path(managed.DATA_FILE).read_bytes()


def test_missing_file(tmp_path, monkeypatch):
    monkeypatch.setattr(managed, "DATA_FILE", str(tmp_path / "nope.json.gz"))
    monkeypatch.setattr(managed, "_shared", None)
    with pytest.raises(ManagedPolicyError, match="cannot read the managed policy index .*nope.json.gz"):
        managed.get()


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"",
        lambda raw: b"not gzip at all",
        lambda raw: raw[:1000],  # cut inside the index
        lambda raw: raw[:-100],  # cut inside the last documents
        lambda raw: raw + b"\x00",
        lambda raw: gzip.compress(b'{"format":1}'),  # no document list
        lambda raw: gzip.compress(b'{"format":99,"names":""},"documents":['),
        lambda raw: gzip.compress(b'{"format":1,"names":"A B"},"documents":['),
        lambda raw: gzip.compress(b'[1,2],"documents":['),
    ],
    ids=[
        "empty",
        "garbage",
        "cut-index",
        "cut-documents",
        "trailing",
        "no-documents",
        "format",
        "fields",
        "list",
    ],
)
def test_corrupt_file_raises_managed_policy_error(tmp_path, monkeypatch, shipped, damage):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(damage(shipped))
    monkeypatch.setattr(managed, "DATA_FILE", str(bad))
    monkeypatch.setattr(managed, "_shared", None)
    with pytest.raises(ManagedPolicyError, match="managed policy"):
        managed.get()


def test_corrupt_document_chunk_raises_on_lookup(tmp_path, shipped):
    mp = managed.load(managed.DATA_FILE)
    offset, length = mp._chunks[0]
    raw = bytearray(shipped)
    middle = mp._base + offset + length // 2
    raw[middle : middle + 8] = bytes(b ^ 0xFF for b in raw[middle : middle + 8])
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(bytes(raw))
    damaged = managed.load(bad)  # the index is intact: loading works
    with pytest.raises(ManagedPolicyError, match="corrupt"):
        damaged.lookup(damaged.names()[0])
    assert damaged.lookup("ViewOnlyAccess").is_job_function  # other chunks still work


# -- the build script -------------------------------------------------------------------------


def write_dataset(root: Path, policies: dict[str, dict]) -> Path:
    """A made-up iam-dataset snapshot: index, documents, LICENSE, and a SOURCES.md beside it."""
    ds = root / "iann0036__iam-dataset"
    (ds / "aws" / "managedpolicies").mkdir(parents=True)
    index = []
    for name, rec in policies.items():
        doc = rec.pop("document")
        (ds / "aws" / "managedpolicies" / f"{name}.json").write_text(
            json.dumps(doc, indent=2), encoding="utf-8"
        )
        index.append({"file": f"aws/managedpolicies/{name}.json", "name": name, **rec})
    (ds / "managedpolicies_index.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    (ds / "LICENSE").write_text("MIT License\n\nCopyright (c) 2021 Someone\n", encoding="utf-8")
    (root / "SOURCES.md").write_text(
        "| repository | commit (date) |\n|---|---|\n"
        "| iann0036/iam-dataset | `" + "a" * 40 + "` (2001-02-03) | MIT |\n",
        encoding="utf-8",
    )
    return ds


def doc(action: str, pad: int = 0) -> dict:
    return {
        "Statement": [{"Action": action, "Effect": "Allow", "Resource": "*", "Sid": "x" * pad}],
        "Version": "2012-10-17",
    }


SMALL = {
    "ZetaAccess": {
        "arn": "arn:aws:iam::aws:policy/ZetaAccess",
        "version": "v2",
        "deprecated": False,
        "createdate": "2020-01-01T00:00:00+00:00",
        "updatedate": "2020-01-01T00:00:00+00:00",
        "document": doc("zeta:*", 300),
    },
    "AlphaRole": {
        "arn": "arn:aws:iam::aws:policy/service-role/AlphaRole",
        "version": "v1",
        "deprecated": False,
        "createdate": "2019-05-06T07:08:09Z",
        "updatedate": None,
        "document": doc("alpha:Get*", 300),
    },
    "OldThing": {
        "arn": None,
        "version": "v9",
        "deprecated": True,
        "createdate": "2015-02-06T18:40:49Z",
        "updatedate": None,
        "document": doc("old:*", 300),
    },
    "Big": {
        "arn": "arn:aws:iam::aws:policy/aws-service-role/Big",
        "createdate": "2023-07-06T22:04:00Z",
        "note": "taken from elsewhere",
        "document": doc("big:*", 2000),
    },
}


@pytest.fixture
def small(tmp_path, monkeypatch):
    bm = build_script()
    monkeypatch.setattr(bm, "CHUNK_TARGET", 1000)  # several chunks out of four small documents
    ds = write_dataset(tmp_path, json.loads(json.dumps(SMALL)))
    return bm, ds


def test_build_small_dataset(small, tmp_path, capsys):
    bm, ds = small
    out = tmp_path / "out.json.gz"
    assert bm.main([str(ds), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        f"wrote {out}: 4 AWS managed policies from iam-dataset aaaaaaa (2001-02-03), "
        f"{out.stat().st_size:,} bytes ("
    )
    assert "no version for 1: Big" in printed
    mp = managed.load(out)
    assert mp.names() == ("AlphaRole", "Big", "OldThing", "ZetaAccess")
    assert len(mp._chunks) == 3
    assert mp.describe() == "AWS managed policies: 4 from iam-dataset aaaaaaa (2001-02-03)"
    alpha = mp.by_arn("arn:aws-cn:iam::aws:policy/service-role/AlphaRole")
    assert (alpha.path, alpha.version, alpha.deprecated, alpha.updated) == (
        "/service-role/",
        "v1",
        False,
        "2019-05-06",
    )
    assert alpha.document == doc("alpha:Get*", 300)
    old = mp.lookup("oldthing")
    assert (old.path, old.arn, old.version, old.deprecated, old.updated) == (
        None,
        None,
        "v9",
        True,
        "2015-02-06",
    )
    big = mp.lookup("Big")
    assert (big.is_service_linked, big.version, big.deprecated) == (True, None, False)
    assert big.document == doc("big:*", 2000)
    assert mp.source["notes"] == {"Big": "taken from elsewhere"}
    assert mp.source["notice"] == "MIT License\n\nCopyright (c) 2021 Someone"
    assert [
        d["Statement"][0]["Action"] for d in json.loads(gzip.decompress(out.read_bytes()))["documents"]
    ] == ["alpha:Get*", "big:*", "old:*", "zeta:*"]
    # deterministic, and --check agrees
    again = tmp_path / "again.json.gz"
    assert bm.main([str(ds), "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()
    assert bm.main([str(ds), "-o", str(out), "--check"]) == 0
    out.write_bytes(out.read_bytes()[:-1])
    assert bm.main([str(ds), "-o", str(out), "--check"]) == 1


def test_build_rejects_bad_input(small, tmp_path, capsys):
    bm, ds = small
    out = tmp_path / "out.json.gz"
    # an ARN that names another policy
    index = json.loads((ds / "managedpolicies_index.json").read_text())
    index[0]["arn"] = "arn:aws:iam::aws:policy/SomethingElse"
    (ds / "managedpolicies_index.json").write_text(json.dumps(index))
    assert bm.main([str(ds), "-o", str(out)]) == 2
    assert "ARN 'arn:aws:iam::aws:policy/SomethingElse' is not" in capsys.readouterr().err
    # no provenance: the commit and date must be given
    (tmp_path / "SOURCES.md").unlink()
    index[0]["arn"] = None
    (ds / "managedpolicies_index.json").write_text(json.dumps(index))
    assert bm.main([str(ds), "-o", str(out)]) == 2
    assert "pass --commit and --date" in capsys.readouterr().err
    assert bm.main([str(ds), "-o", str(out), "--commit", "b" * 40, "--date", "2002-03-04"]) == 0
    assert managed.load(out).describe() == "AWS managed policies: 4 from iam-dataset bbbbbbb (2002-03-04)"


@pytest.mark.skipif(
    not DATASET.is_dir(),
    reason=f"the iam-dataset snapshot is not here ({DATASET}): "
    "only a checkout beside the project's shared corpus has it",
)
def test_shipped_file_is_what_the_snapshot_builds(tmp_path, capsys):
    bm = build_script()
    out = tmp_path / "managed_policies.json.gz"
    assert bm.main([str(DATASET), "-o", str(out)]) == 0
    assert out.read_bytes() == Path(managed.DATA_FILE).read_bytes()
    assert capsys.readouterr().out.startswith(
        f"wrote {out}: 1,643 AWS managed policies from iam-dataset 2073fa5 (2026-08-22), {out.stat().st_size:,} bytes"
    )
