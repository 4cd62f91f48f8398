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
#: the keys of a SAM API's Auth.ResourcePolicy from which SAM writes statements
SAM_RESOURCE_POLICY_KEYS = frozenset(
    {
        "AwsAccountBlacklist",
        "AwsAccountWhitelist",
        "CustomStatements",
        "IntrinsicVpcBlacklist",
        "IntrinsicVpcWhitelist",
        "IntrinsicVpceBlacklist",
        "IntrinsicVpceWhitelist",
        "IpRangeBlacklist",
        "IpRangeWhitelist",
        "SourceVpcBlacklist",
        "SourceVpcWhitelist",
    }
)
#: resources whose properties AWS turns into a resource-policy statement (see `permissions`)
LAMBDA_PERMISSION = "AWS::Lambda::Permission"
EVENT_BUS_POLICY = "AWS::Events::EventBusPolicy"
#: a stack set: its TemplateBody is a template of its own (see `nested`)
STACK_SET = "AWS::CloudFormation::StackSet"
#: REST APIs and the property holding their OpenAPI definition, whose resource policy is the
#: extension below (HTTP APIs, AWS::ApiGatewayV2::Api and AWS::Serverless::HttpApi, have none)
OPENAPI_BODIES = {"AWS::ApiGateway::RestApi": "Body", SAM_API: "DefinitionBody"}
OPENAPI_POLICY = "x-amazon-apigateway-policy"

#: resource type -> (principal kind, property holding its name)
PRINCIPAL_TYPES: dict[str, tuple[str, str | None]] = {
    ROLE: ("role", "RoleName"),
    USER: ("user", "UserName"),
    GROUP: ("group", "GroupName"),
    PERMISSION_SET: ("permission-set", None),
}

#: resource types whose properties iamlint reads more of than `POLICY_PROPERTIES` (principals,
#: attachments, SAM, StackSets, permissions and memberships): see `holds_policies`
_READ_TYPES = frozenset(
    {
        "AWS::Organizations::Policy",
        "AWS::IAM::UserToGroupAddition",
        "AWS::IAM::AccessKey",
        "AWS::IAM::InstanceProfile",
        "AWS::CloudFormation::Stack",
    }
)


#: resource type -> the properties that hold an IAM policy document, as paths below
#: ``Properties`` (``[]``: each item of a list), and the kind of each. Found in the resource
#: schemas cfn-lint bundles; docs/extraction.md lists them, and the types whose policy-like
#: properties are not the IAM policy language.
POLICY_PROPERTIES: dict[str, tuple[tuple[str, DocKind], ...]] = {
    "AWS::AIOps::InvestigationGroup": (("InvestigationGroupPolicy", DocKind.RESOURCE),),
    "AWS::ApiGateway::DomainNameV2": (("Policy", DocKind.RESOURCE),),
    "AWS::ApiGateway::RestApi": (("Policy", DocKind.RESOURCE),),
    "AWS::APS::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::Backup::BackupVault": (("AccessPolicy", DocKind.RESOURCE),),
    "AWS::Backup::LogicallyAirGappedBackupVault": (("AccessPolicy", DocKind.RESOURCE),),
    "AWS::Bedrock::KnowledgeBasePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::Bedrock::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::BedrockAgentCore::ResourcePolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::CloudTrail::ResourcePolicy": (("ResourcePolicy", DocKind.RESOURCE),),
    "AWS::CodeArtifact::Domain": (("PermissionsPolicyDocument", DocKind.RESOURCE),),
    "AWS::CodeArtifact::Repository": (("PermissionsPolicyDocument", DocKind.RESOURCE),),
    "AWS::Comprehend::DocumentClassifier": (("ModelPolicy", DocKind.RESOURCE),),
    "AWS::Comprehend::EntityRecognizer": (("ModelPolicy", DocKind.RESOURCE),),
    "AWS::DSQL::Cluster": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::DynamoDB::GlobalTable": (
        ("Replicas[].ResourcePolicy.PolicyDocument", DocKind.RESOURCE),
        ("Replicas[].ReplicaStreamSpecification.ResourcePolicy.PolicyDocument", DocKind.RESOURCE),
    ),
    "AWS::DynamoDB::Table": (
        ("ResourcePolicy.PolicyDocument", DocKind.RESOURCE),
        ("StreamSpecification.ResourcePolicy.PolicyDocument", DocKind.RESOURCE),
    ),
    "AWS::EC2::VPCEndpoint": (("PolicyDocument", DocKind.ENDPOINT),),
    "AWS::ECR::PublicRepository": (("RepositoryPolicyText", DocKind.RESOURCE),),
    "AWS::ECR::RegistryPolicy": (("PolicyText", DocKind.RESOURCE),),
    "AWS::ECR::Repository": (("RepositoryPolicyText", DocKind.RESOURCE),),
    "AWS::ECR::RepositoryCreationTemplate": (("RepositoryPolicy", DocKind.RESOURCE),),
    "AWS::EFS::FileSystem": (("FileSystemPolicy", DocKind.RESOURCE),),
    "AWS::EKS::PodIdentityAssociation": (("Policy", DocKind.SESSION),),
    "AWS::Elasticsearch::Domain": (("AccessPolicies", DocKind.RESOURCE),),
    "AWS::Events::EventBus": (("Policy", DocKind.RESOURCE),),
    "AWS::EventSchemas::RegistryPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::EventsV2::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::FSx::S3AccessPointAttachment": (("S3AccessPoint.Policy", DocKind.RESOURCE),),
    "AWS::IoT::Policy": (("PolicyDocument", DocKind.IOT),),
    "AWS::Kinesis::ResourcePolicy": (("ResourcePolicy", DocKind.RESOURCE),),
    "AWS::KMS::Key": (("KeyPolicy", DocKind.RESOURCE),),
    "AWS::KMS::ReplicaKey": (("KeyPolicy", DocKind.RESOURCE),),
    "AWS::Lambda::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::Lex::ResourcePolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::Logs::DeliveryDestination": (
        ("DeliveryDestinationPolicy.DeliveryDestinationPolicy", DocKind.RESOURCE),
    ),
    "AWS::Logs::Destination": (("DestinationPolicy", DocKind.RESOURCE),),
    "AWS::Logs::LogGroup": (("ResourcePolicyDocument", DocKind.RESOURCE),),
    "AWS::Logs::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::MediaPackageV2::ChannelPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::MediaPackageV2::OriginEndpointPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::MediaStore::Container": (("Policy", DocKind.RESOURCE),),
    "AWS::MediaTailor::ChannelPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::MSK::ClusterPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::Oam::Sink": (("Policy", DocKind.RESOURCE),),
    "AWS::ODB::OdbNetwork": (
        ("S3PolicyDocument", DocKind.ENDPOINT),
        ("KmsPolicyDocument", DocKind.ENDPOINT),
        ("StsPolicyDocument", DocKind.ENDPOINT),
        ("ManagedServices.S3Access.S3PolicyDocument", DocKind.ENDPOINT),
        ("ManagedServices.KmsAccess.KmsPolicyDocument", DocKind.ENDPOINT),
        ("ManagedServices.StsAccess.StsPolicyDocument", DocKind.ENDPOINT),
    ),
    "AWS::Omics::SequenceStore": (("S3AccessPolicy", DocKind.RESOURCE),),
    "AWS::OpenSearchService::Domain": (("AccessPolicies", DocKind.RESOURCE),),
    "AWS::Organizations::ResourcePolicy": (("Content", DocKind.RESOURCE),),
    "AWS::OSIS::Pipeline": (("ResourcePolicy.Policy", DocKind.RESOURCE),),
    "AWS::PaymentCryptography::Key": (("Policy", DocKind.RESOURCE),),
    "AWS::Redshift::Cluster": (("NamespaceResourcePolicy", DocKind.RESOURCE),),
    "AWS::RedshiftServerless::Namespace": (("NamespaceResourcePolicy", DocKind.RESOURCE),),
    "AWS::RolesAnywhere::Profile": (("SessionPolicy", DocKind.SESSION),),
    "AWS::RUM::AppMonitor": (("ResourcePolicy.PolicyDocument", DocKind.RESOURCE),),
    "AWS::S3::AccessPoint": (("Policy", DocKind.RESOURCE),),
    "AWS::S3::BucketPolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::S3::MultiRegionAccessPointPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::S3Express::AccessPoint": (("Policy", DocKind.RESOURCE),),
    "AWS::S3Express::BucketPolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::S3Files::FileSystemPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::S3ObjectLambda::AccessPointPolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::S3Outposts::AccessPoint": (("Policy", DocKind.RESOURCE),),
    "AWS::S3Outposts::BucketPolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::S3Tables::TableBucketPolicy": (("ResourcePolicy", DocKind.RESOURCE),),
    "AWS::S3Tables::TablePolicy": (("ResourcePolicy", DocKind.RESOURCE),),
    "AWS::S3Vectors::VectorBucketPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::SageMaker::ModelPackageGroup": (("ModelPackageGroupPolicy", DocKind.RESOURCE),),
    "AWS::SecretsManager::ResourcePolicy": (("ResourcePolicy", DocKind.RESOURCE),),
    "AWS::SMSVOICE::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::SNS::TopicInlinePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::SNS::TopicPolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::SQS::QueueInlinePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::SQS::QueuePolicy": (("PolicyDocument", DocKind.RESOURCE),),
    "AWS::SSM::ResourcePolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::Transfer::User": (("Policy", DocKind.SESSION),),
    "AWS::VpcLattice::AuthPolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::VpcLattice::ResourcePolicy": (("Policy", DocKind.RESOURCE),),
    "AWS::XRay::ResourcePolicy": (("PolicyDocument", DocKind.RESOURCE),),
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
        "AWS::Backup::LogicallyAirGappedBackupVault",
        "AWS::DynamoDB::GlobalTable",  # "the ARN of the DynamoDB resource to which it is attached"
        "AWS::DynamoDB::Table",
        "AWS::ECR::RepositoryCreationTemplate",  # the repository policy of each repository made
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


def holds_policies(type_: str) -> bool:
    """Whether the properties of a resource of this type may hold something iamlint reads (a
    policy, a principal, an attachment, a template). False only for an ``AWS::`` type of no
    table here, such as ``AWS::Lambda::Function`` or ``AWS::EC2::Instance``: an unknown tag
    in its properties (a code location, user data) hides no policy. SAM types, custom
    resources and modules may hold anything."""
    if not type_.startswith("AWS::") or type_.startswith("AWS::Serverless::"):
        return True
    return (
        type_ in _READ_TYPES
        or type_ in POLICY_PROPERTIES
        or type_ in PRINCIPAL_TYPES
        or type_ in ATTACHED_POLICIES
        or type_ in OPENAPI_BODIES
        or type_ in (STACK_SET, LAMBDA_PERMISSION, EVENT_BUS_POLICY)
    )
