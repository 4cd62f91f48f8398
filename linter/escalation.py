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

from dataclasses import dataclass
from functools import cache
from typing import Any

from .evaluate import Decision, Effective, Source, Verdict
from .model import THIS_ACCOUNT

__all__ = [
    "PATHS",
    "EscalationPath",
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
class EscalationPath:
    """An escalation path a principal's effective permissions open (or, when ``verdict`` is
    conditional, open under conditions). ``steps``: for each step, the action chosen and
    its decision."""

    path: PathDef
    steps: tuple[Decision, ...]
    verdict: Verdict

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every statement involved, once, in step order."""
        return tuple(dict.fromkeys(s for d in self.steps for s in d.granted_by))

    def describe(self) -> str:
        """``iam:PassRole on arn:...:role/* with ec2:RunInstances (launch an instance ...)``."""
        parts = []
        for d in self.steps:
            on = _SHOWN.get(d.resource or "", d.resource)
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
    ``conditional``, also those open only under conditions). None for an administrator."""
    if is_administrator(eff):
        return []
    out = []
    for path in PATHS:
        chosen: list[Decision] = []
        verdict = Verdict.ALLOWED
        for step in path.steps:
            decisions = [eff.decide(a, r) for a, r in step.targets()]
            best = next((d for d in decisions if d.allowed), None)
            if best is None and conditional:
                best = next((d for d in decisions if d.verdict is Verdict.CONDITIONAL), None)
                verdict = Verdict.CONDITIONAL
            if best is None:
                break
            chosen.append(best)
        else:
            out.append(EscalationPath(path, tuple(chosen), verdict))
    return out
