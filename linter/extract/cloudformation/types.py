"""CloudFormation's resource types that hold IAM policies, and how a template is recognised.

Cheap to import: the dispatcher reads `is_cfn_template` for every JSON file.
"""

from __future__ import annotations

from typing import Any

from ...model import DocKind

FORMAT = "cloudformation"

ROLE = "AWS::IAM::Role"
USER = "AWS::IAM::User"
GROUP = "AWS::IAM::Group"
PERMISSION_SET = "AWS::SSO::PermissionSet"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
SAM_FUNCTION = "AWS::Serverless::Function"
SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"
SAM_API = "AWS::Serverless::Api"

#: resource type -> (principal kind, property holding its name)
PRINCIPAL_TYPES: dict[str, tuple[str, str | None]] = {
    ROLE: ("role", "RoleName"),
    USER: ("user", "UserName"),
    GROUP: ("group", "GroupName"),
    PERMISSION_SET: ("permission-set", None),
}

#: resources whose single policy property is a resource-based (or endpoint) policy
RESOURCE_POLICIES: dict[str, tuple[str, DocKind]] = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::S3::AccessPoint": ("Policy", DocKind.RESOURCE),
    "AWS::S3::MultiRegionAccessPointPolicy": ("Policy", DocKind.RESOURCE),
    "AWS::S3Express::BucketPolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::SNS::TopicInlinePolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::KMS::Key": ("KeyPolicy", DocKind.RESOURCE),
    "AWS::KMS::ReplicaKey": ("KeyPolicy", DocKind.RESOURCE),
    "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy", DocKind.RESOURCE),
    "AWS::ECR::Repository": ("RepositoryPolicyText", DocKind.RESOURCE),
    "AWS::ECR::PublicRepository": ("RepositoryPolicyText", DocKind.RESOURCE),
    "AWS::ECR::RegistryPolicy": ("PolicyText", DocKind.RESOURCE),
    "AWS::Logs::ResourcePolicy": ("PolicyDocument", DocKind.RESOURCE),
    "AWS::OpenSearchService::Domain": ("AccessPolicies", DocKind.RESOURCE),
    "AWS::Elasticsearch::Domain": ("AccessPolicies", DocKind.RESOURCE),
    "AWS::EC2::VPCEndpoint": ("PolicyDocument", DocKind.ENDPOINT),
    "AWS::Backup::BackupVault": ("AccessPolicy", DocKind.RESOURCE),
    "AWS::EFS::FileSystem": ("FileSystemPolicy", DocKind.RESOURCE),
    "AWS::ApiGateway::RestApi": ("Policy", DocKind.RESOURCE),
    "AWS::CodeArtifact::Domain": ("PermissionsPolicyDocument", DocKind.RESOURCE),
    "AWS::CodeArtifact::Repository": ("PermissionsPolicyDocument", DocKind.RESOURCE),
}

#: policy resources attached to principals, and the properties naming them
ATTACHED_POLICIES: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS::IAM::Policy": (("Roles", "role"), ("Users", "user"), ("Groups", "group")),
    MANAGED_POLICY: (("Roles", "role"), ("Users", "user"), ("Groups", "group")),
    "AWS::IAM::RolePolicy": (("RoleName", "role"),),
    "AWS::IAM::UserPolicy": (("UserName", "user"),),
    "AWS::IAM::GroupPolicy": (("GroupName", "group"),),
}

#: AWS::Organizations::Policy types written in the IAM policy language, and their kinds
ORG_POLICY_KINDS = {"SERVICE_CONTROL_POLICY": DocKind.SCP, "RESOURCE_CONTROL_POLICY": DocKind.RCP}

#: resource policies attached to one resource: their "*" (or absent) Resource means that
#: resource (see PolicyDocument.single_resource)
SINGLE_RESOURCE_TYPES = frozenset(
    {
        "AWS::KMS::Key",
        "AWS::KMS::ReplicaKey",
        "AWS::SecretsManager::ResourcePolicy",
        "AWS::ECR::Repository",
        "AWS::ECR::PublicRepository",
        "AWS::EFS::FileSystem",
        "AWS::Backup::BackupVault",
        "AWS::CodeArtifact::Domain",
        "AWS::CodeArtifact::Repository",
    }
)


def is_cfn_template(node: Any) -> bool:
    """A CloudFormation template: its format version, or a resource of an AWS or custom type."""
    if not isinstance(node, dict):
        return False
    if "AWSTemplateFormatVersion" in node:
        return True
    res = node.get("Resources")
    if isinstance(res, dict):
        for r in res.values():
            t = r.get("Type") if isinstance(r, dict) else None
            if isinstance(t, str) and (t.startswith("AWS::") or t.startswith("Custom::")):
                return True
    return False


#: which IAM resource type's ARN a reference to a resource of the template gives (see
#: `Unknown.arn_types`): resource type -> {``Ref`` or a ``Fn::GetAtt`` attribute: IAM types as
#: ``service:type``}. Only references whose value AWS documents as that ARN (the resource's
#: "Return values"): ``Ref`` of a queue is its URL and of a bucket its name, so neither is here.
ARN_ATTRIBUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "AWS::SQS::Queue": {"Arn": ("sqs:queue",)},
    "AWS::SNS::Topic": {"Ref": ("sns:topic",), "TopicArn": ("sns:topic",)},
    "AWS::S3::Bucket": {"Arn": ("s3:bucket",)},
    "AWS::S3::AccessPoint": {"Arn": ("s3:accesspoint",)},
    "AWS::DynamoDB::Table": {"Arn": ("dynamodb:table",), "StreamArn": ("dynamodb:stream",)},
    "AWS::DynamoDB::GlobalTable": {"Arn": ("dynamodb:table",), "StreamArn": ("dynamodb:stream",)},
    "AWS::Serverless::SimpleTable": {"Arn": ("dynamodb:table",)},
    "AWS::Lambda::Function": {"Arn": ("lambda:function",)},
    "AWS::Serverless::Function": {"Arn": ("lambda:function",)},
    "AWS::KMS::Key": {"Arn": ("kms:key",)},
    "AWS::KMS::ReplicaKey": {"Arn": ("kms:key",)},
    "AWS::SecretsManager::Secret": {"Ref": ("secretsmanager:Secret",), "Id": ("secretsmanager:Secret",)},
    "AWS::IAM::Role": {"Arn": ("iam:role",)},
    "AWS::IAM::User": {"Arn": ("iam:user",)},
    "AWS::IAM::Group": {"Arn": ("iam:group",)},
    "AWS::IAM::InstanceProfile": {"Arn": ("iam:instance-profile",)},
    "AWS::IAM::ManagedPolicy": {"Ref": ("iam:policy",), "PolicyArn": ("iam:policy",)},
    "AWS::Kinesis::Stream": {"Arn": ("kinesis:stream",)},
    "AWS::KinesisFirehose::DeliveryStream": {"Arn": ("firehose:deliverystream",)},
    "AWS::StepFunctions::StateMachine": {"Ref": ("states:statemachine",), "Arn": ("states:statemachine",)},
    "AWS::Serverless::StateMachine": {"Ref": ("states:statemachine",), "Arn": ("states:statemachine",)},
    "AWS::StepFunctions::Activity": {"Ref": ("states:activity",), "Arn": ("states:activity",)},
    # the log group's Arn ends with ":*": it names the group and its streams
    "AWS::Logs::LogGroup": {"Arn": ("logs:log-group", "logs:log-stream")},
    "AWS::ECR::Repository": {"Arn": ("ecr:repository",)},
    "AWS::Events::EventBus": {"Arn": ("events:event-bus",)},
    "AWS::CodeBuild::Project": {"Arn": ("codebuild:project",)},
    "AWS::ECS::Cluster": {"Arn": ("ecs:cluster",)},
    "AWS::ECS::TaskDefinition": {
        "Ref": ("ecs:task-definition",),
        "TaskDefinitionArn": ("ecs:task-definition",),
    },
    "AWS::CloudWatch::Alarm": {"Arn": ("cloudwatch:alarm",)},
    "AWS::Cognito::UserPool": {"Arn": ("cognito-idp:userpool",)},
    "AWS::CloudTrail::Trail": {"Arn": ("cloudtrail:trail",)},
    "AWS::EFS::FileSystem": {"Arn": ("elasticfilesystem:file-system",)},
    "AWS::EFS::AccessPoint": {"Arn": ("elasticfilesystem:access-point",)},
    "AWS::OpenSearchService::Domain": {"Arn": ("es:domain",), "DomainArn": ("es:domain",)},
    "AWS::Elasticsearch::Domain": {"Arn": ("es:domain",), "DomainArn": ("es:domain",)},
    "AWS::CodeCommit::Repository": {"Arn": ("codecommit:repository",)},
    "AWS::EKS::Cluster": {"Arn": ("eks:cluster",)},
    "AWS::RDS::DBCluster": {"DBClusterArn": ("rds:cluster",)},
    "AWS::RDS::DBInstance": {"DBInstanceArn": ("rds:db",)},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {"Ref": ("elasticloadbalancing:targetgroup",)},
    "AWS::Batch::JobQueue": {"Ref": ("batch:job-queue",), "JobQueueArn": ("batch:job-queue",)},
    "AWS::Scheduler::Schedule": {"Arn": ("scheduler:schedule",)},
}
