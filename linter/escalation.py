"""Known privilege-escalation paths, found in a principal's effective permissions.

A path is a list of steps; each step is one action among alternatives, on the resources it
must reach (another role, user, group or policy of the account; or any resource of a
service). A path is open when every step is allowed without a condition by the principal's
effective permissions (`iamlint.evaluate`): an explicit ``Deny``, a permissions boundary or
an organization policy that removes a step closes it, and so does a condition on a step (a
condition iamlint cannot evaluate is named, never guessed; ``explain`` shows such paths as
conditional). docs/escalation.md lists every path and its sources.

A principal allowed every action on every resource is already an administrator: it has no
path to report (IAM101 and IAM102 report its policy). When a ``Deny`` takes a step away, the
paths still open are reported: they can give it back what is denied.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from .evaluate import Decision, Effective, Source, Verdict
from .model import THIS_ACCOUNT, IAMPrincipal

__all__ = [
    "PATHS",
    "EscalationPath",
    "Passable",
    "PathDef",
    "Step",
    "escalation_paths",
    "is_administrator",
    "runs_passed_role",
]

ROLES = f"arn:aws:iam::{THIS_ACCOUNT}:role/*"
USERS = f"arn:aws:iam::{THIS_ACCOUNT}:user/*"
GROUPS = f"arn:aws:iam::{THIS_ACCOUNT}:group/*"
POLICIES = f"arn:aws:iam::{THIS_ACCOUNT}:policy/*"


@dataclass(frozen=True, slots=True)
class Step:
    """One of ``actions`` on ``resource`` (``None``: on some resource of the service; a
    tuple: each action's own)."""

    actions: tuple[str, ...]
    resource: str | tuple[str, ...] | None = None

    def targets(self) -> tuple[tuple[str, str | None], ...]:
        if isinstance(self.resource, tuple):
            return tuple(zip(self.actions, self.resource, strict=True))
        return tuple((a, self.resource) for a in self.actions)


@dataclass(frozen=True, slots=True)
class PathDef:
    """A known escalation path: its stable id, its steps, what it lets the holder do, and
    the published catalogues that list it."""

    id: str
    steps: tuple[Step, ...]
    how: str
    sources: tuple[str, ...]


def _pass(*actions: tuple[str, ...] | str) -> tuple[Step, ...]:
    steps = [Step(("iam:PassRole",), ROLES)]
    for a in actions:
        steps.append(Step(a if isinstance(a, tuple) else (a,)))
    return tuple(steps)


RHINO = "rhino"
PMAPPER = "pmapper"
CLOUDSPLAINING = "cloudsplaining"

#: the catalogue; ids are stable (they are part of IAM401's fingerprints)
PATHS: tuple[PathDef, ...] = (
    PathDef(
        "create-policy-version",
        (Step(("iam:CreatePolicyVersion",), POLICIES),),
        "write a new default version of a managed policy attached to it",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "set-default-policy-version",
        (Step(("iam:SetDefaultPolicyVersion",), POLICIES),),
        "switch a managed policy attached to it to a more permissive version",
        (RHINO, CLOUDSPLAINING),
    ),
    PathDef(
        "attach-policy",
        (
            Step(
                ("iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy"),
                (USERS, GROUPS, ROLES),
            ),
        ),
        "attach AdministratorAccess to itself or another principal",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "put-inline-policy",
        (Step(("iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy"), (USERS, GROUPS, ROLES)),),
        "write an administrator inline policy on itself or another principal",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "create-access-key",
        (Step(("iam:CreateAccessKey",), USERS),),
        "create access keys for other users",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "login-profile",
        (Step(("iam:CreateLoginProfile", "iam:UpdateLoginProfile"), USERS),),
        "set or change other users' console passwords",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "add-user-to-group",
        (Step(("iam:AddUserToGroup",), GROUPS),),
        "add itself to any group",
        (RHINO, CLOUDSPLAINING),
    ),
    PathDef(
        "update-assume-role-policy",
        (Step(("iam:UpdateAssumeRolePolicy",), ROLES), Step(("sts:AssumeRole",), ROLES)),
        "let itself assume any role and assume it",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-ec2",
        _pass("ec2:RunInstances"),
        "launch an instance with an instance profile role and use its credentials",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-lambda-invoke",
        _pass("lambda:CreateFunction", "lambda:InvokeFunction"),
        "create a function that runs as any role and invoke it",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-lambda-event-source",
        _pass("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "create a function that runs as any role and trigger it from a stream or queue",
        (RHINO, CLOUDSPLAINING),
    ),
    PathDef(
        "lambda-update-code",
        (Step(("lambda:UpdateFunctionCode",)),),
        "replace the code of an existing function and run as its role",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-glue-dev-endpoint",
        _pass("glue:CreateDevEndpoint"),
        "create a Glue development endpoint that runs as any role and log in to it",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "glue-update-dev-endpoint",
        (Step(("glue:UpdateDevEndpoint",)),),
        "add its SSH key to an existing Glue development endpoint and use its role",
        (RHINO, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-glue-job",
        _pass(("glue:CreateJob", "glue:UpdateJob"), "glue:StartJobRun"),
        "create a Glue job that runs as any role and start it",
        (PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-cloudformation",
        _pass(("cloudformation:CreateStack", "cloudformation:UpdateStack")),
        "create or update a stack that runs as any role",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-datapipeline",
        _pass(
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ),
        "create and activate a pipeline that runs commands as any role",
        (RHINO, PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-ecs",
        _pass(
            "ecs:RegisterTaskDefinition",
            ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService"),
        ),
        "register a task definition with any task role and run it",
        (PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-codebuild",
        _pass("codebuild:CreateProject", "codebuild:StartBuild"),
        "create a build project that runs as any role and start a build",
        (PMAPPER, CLOUDSPLAINING),
    ),
    PathDef(
        "passrole-sagemaker",
        _pass(
            (
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateProcessingJob",
            )
        ),
        "create a notebook instance or a training or processing job that runs as any role",
        (PMAPPER, CLOUDSPLAINING),
    ),
)

BY_ID = {p.id: p for p in PATHS}
_SHOWN = {ROLES: "any role", USERS: "any user", GROUPS: "any group", POLICIES: "any managed policy"}


@dataclass(frozen=True, slots=True)
class Passable:
    """A role of the same template or module that ``iam:PassRole`` names (by a reference to
    its ARN) and that is more privileged than the principal: ``why`` says how."""

    principal: IAMPrincipal
    why: str

    def to_json(self) -> dict[str, Any]:
        p = self.principal
        return {
            "principal": p.address,
            "kind": p.kind,
            "why": self.why,
            "file": p.span.file,
            "line": p.span.line,
            "column": p.span.column,
        }


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """An escalation path a principal's effective permissions open (or, when ``verdict`` is
    conditional, open under conditions). ``steps``: for each step, the action chosen and
    its decision. ``passes``: when ``iam:PassRole`` is allowed only on roles of the same
    template or module, those of them that are more privileged than the principal."""

    path: PathDef
    steps: tuple[Decision, ...]
    verdict: Verdict
    passes: tuple[Passable, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every statement involved, once, in step order."""
        return tuple(dict.fromkeys(s for d in self.steps for s in d.granted_by))

    def describe(self) -> str:
        """``iam:PassRole on arn:...:role/* with ec2:RunInstances (launch an instance ...)``."""
        parts = []
        for d in self.steps:
            on = _SHOWN.get(d.resource or "", d.resource)
            if self.passes and d.action.lower() == "iam:passrole":
                on = " and ".join(f"{p.principal.address}, which {p.why}" for p in self.passes)
                on += "," if len(self.steps) > 1 else ""
            parts.append(f"{d.action} on {on}" if on else d.action)
        shown = parts[0] + (" with " + " and ".join(parts[1:]) if len(parts) > 1 else "")
        return f"{shown} ({self.path.how})"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path.id,
            "verdict": self.verdict.value,
            "how": self.path.how,
            "steps": [d.to_json() for d in self.steps],
            "sources": list(self.path.sources),
            **({"passes": [p.to_json() for p in self.passes]} if self.passes else {}),
        }


def runs_passed_role(service_principal: str) -> bool:
    """Whether a role passed to this service principal (``ec2.amazonaws.com``) may run code
    the passer controls: the principal is one of a PassRole path of `PATHS` (Lambda, EC2, ECS
    tasks, Glue, CloudFormation, Data Pipeline, CodeBuild, SageMaker), or a pattern that may
    match one. A role passed to CloudTrail, Auto Scaling or Elastic Transcoder is used by the
    service for its own work, in none of the published escalation paths."""
    name = service_principal.lower()
    if "*" in name or "?" in name or "$" in name:
        return True
    prefix = name.split(".", 1)[0].removesuffix("-tasks")  # ecs-tasks.amazonaws.com: ECS
    return prefix in _passrole_services()


@cache
def _passrole_services() -> frozenset[str]:
    return frozenset(
        action.split(":", 1)[0].lower()
        for path in PATHS
        if path.steps and path.steps[0].actions == ("iam:PassRole",)
        for step in path.steps[1:]
        for action in step.actions
    )


def is_administrator(eff: Effective) -> bool:
    """Allowed every action on every resource (an unconditional ``*`` on ``*``), within no
    boundary or organization policy, and no ``Deny`` takes away any step of the catalogue:
    it can already do whatever a path would give it."""
    if eff.caps:
        return False
    if not any(
        s.actions == ("*",) and not s.negated_action and not s.conditions and s.resource_fit("*") == "all"
        for s in eff.identity
    ):
        return False
    return all(eff.decide(a, r).allowed for path in PATHS for step in path.steps for a, r in step.targets())


def escalation_paths(eff: Effective, conditional: bool = False) -> list[EscalationPath]:
    """The paths of `PATHS` open to the principal, in catalogue order (with
    ``conditional``, also those open only under conditions). None for an administrator.

    An ``iam:PassRole`` step allowed only on roles of the same template or module (its
    ``Resource`` is ``!GetAtt AdminRole.Arn``, ``aws_iam_role.admin.arn``) is decided by
    those roles (`more_privileged`): open when one of them is more privileged than the
    principal, closed when each of them is known and none is, conditional otherwise."""
    return _paths(eff, conditional, frozenset(), [MAX_JUDGED])


def _paths(
    eff: Effective, conditional: bool, stack: frozenset[str], budget: list[int]
) -> list[EscalationPath]:
    if is_administrator(eff):
        return []
    out = []
    #: the roles `more_privileged` judged for this principal (every PassRole path asks)
    judged: dict[str, tuple[str, IAMPrincipal | None, str]] = {}
    for path in PATHS:
        chosen: list[Decision] = []
        passes: tuple[Passable, ...] = ()
        verdict = Verdict.ALLOWED
        for step in path.steps:
            decisions = [eff.decide(a, r) for a, r in step.targets()]
            best = next((d for d in decisions if d.allowed), None)
            if best is None and any(d.refers_to for d in decisions):
                decisions, found = _by_passable_roles(eff, decisions, stack, judged, budget)
                best = next((d for d in decisions if d.allowed), None)
                if best is not None:
                    passes = found
            if best is None and conditional:
                best = next((d for d in decisions if d.verdict is Verdict.CONDITIONAL), None)
                verdict = Verdict.CONDITIONAL
            if best is None:
                break
            chosen.append(best)
        else:
            out.append(
                EscalationPath(path, tuple(chosen), verdict, passes if verdict is Verdict.ALLOWED else ())
            )
    return out


def _by_passable_roles(
    eff: Effective,
    decisions: list[Decision],
    stack: frozenset[str],
    judged: dict[str, tuple[str, IAMPrincipal | None, str]],
    budget: list[int],
) -> tuple[list[Decision], tuple[Passable, ...]]:
    """The decisions of an ``iam:PassRole`` step, those conditional only on roles of the
    template or module decided: allowed (by the statements that name a more privileged
    role, which are returned) or not granted (every role named is known and none is more
    privileged); any other stays as it is."""
    out: list[Decision] = []
    passes: dict[str, Passable] = {}
    for d in decisions:
        if d.verdict is not Verdict.CONDITIONAL or not d.refers_to or d.action.lower() != "iam:passrole":
            out.append(d)
            continue
        higher: list[Source] = []
        known_and_lower = True
        for address, source in d.refers_to:
            got = judged.get(address)
            if got is None:
                got = judged[address] = more_privileged(eff, address, stack, budget)
            state, role, why = got
            if state == "yes" and role is not None:
                higher.append(source)
                passes.setdefault(address, Passable(role, why))
            elif state != "no":
                known_and_lower = False
        if higher and d.refers_clean:
            out.append(
                replace(d, verdict=Verdict.ALLOWED, granted_by=tuple(dict.fromkeys(higher)), conditions=())
            )
        elif not higher and known_and_lower and d.refers_only:
            out.append(replace(d, verdict=Verdict.NOT_GRANTED, granted_by=(), conditions=()))
        else:
            out.append(d)
    return out, tuple(passes.values())


#: the kinds of principal ``iam:PassRole`` passes
_ROLE_KINDS = ("role", "function-role")
#: how many roles that pass one another `more_privileged` follows before it stops (the step
#: stays conditional): a module of thousands of roles in one chain is answered at once
MAX_CHAIN = 5
#: how many roles `more_privileged` judges by their own paths for one principal, at most
#: (roles that can each pass every other would otherwise cost their number to the power
#: `MAX_CHAIN`); beyond it a role is "maybe"
MAX_JUDGED = 32


def more_privileged(
    eff: Effective, address: str, stack: frozenset[str] = frozenset(), budget: list[int] | None = None
) -> tuple[str, IAMPrincipal | None, str]:
    """Whether the role at ``address`` (of the same template or module as the principal of
    ``eff``) is more privileged than that principal: ``("yes", role, why)`` when it is an
    administrator (`is_administrator`) or has an escalation path of its own open (passing
    it gives its path to the holder); ``("no", role, "")`` when it is the principal itself,
    or it has neither, not even under conditions, and nothing about it is unknown;
    ``("maybe", ...)`` otherwise (not a role of the template or module, a policy iamlint
    cannot read, a path open only under conditions, a chain of more than `MAX_CHAIN`
    roles that pass one another, more than `MAX_JUDGED` roles to judge by their paths:
    ``budget`` counts them down). A role already being decided (roles that can pass each
    other) counts as not more privileged: passing it back gives nothing the chain does not
    already hold."""
    ev = eff.evaluator
    role = ev.principal(address) if ev is not None else None
    if role is None or role.kind not in _ROLE_KINDS:
        return "maybe", None, ""
    if role is eff.principal or address in stack:
        return "no", role, ""
    assert ev is not None
    other = ev.effective(role)
    if is_administrator(other):
        return "yes", role, "is an administrator"
    budget = [MAX_JUDGED] if budget is None else budget
    if len(stack) >= MAX_CHAIN or budget[0] <= 0:
        return "maybe", role, ""
    budget[0] -= 1
    paths = _paths(other, True, stack | {eff.principal.address}, budget)
    opened = [p for p in paths if p.verdict is Verdict.ALLOWED]
    if opened:
        return "yes", role, f"can make itself administrator ({opened[0].path.id})"
    if paths or other.unknown:
        return "maybe", role, ""
    return "no", role, ""
