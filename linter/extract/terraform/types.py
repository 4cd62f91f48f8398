"""Terraform's resource types that hold IAM policies and build the attachment graph.

Cheap to import: the dispatcher reads `is_tf_plan` for every JSON file.
"""

from __future__ import annotations

from typing import Any

from ...model import DocKind, Pseudo

FORMAT = "terraform"
PLAN_FORMAT = "terraform-plan"

#: A file is parsed when it holds one of these (case-sensitive, as Terraform is): policy
#: resources and data sources, module arguments (``policy_json``, ``key_statements``,
#: ``jsonencode({Statement = ...})``) and Lambda permissions.
MARKERS = ("polic", "aws_iam_", "Statement", "_statements", "_permission")

#: data sources whose attribute names a fact of the deployment: (type, attribute) -> which
PSEUDO = {
    ("aws_caller_identity", "account_id"): Pseudo.ACCOUNT,
    ("aws_partition", "partition"): Pseudo.PARTITION,
    ("aws_partition", "dns_suffix"): Pseudo.URL_SUFFIX,
    ("aws_region", "name"): Pseudo.REGION,
    ("aws_region", "region"): Pseudo.REGION,
}

K = DocKind
#: the kind of a session policy, which only limits what the role's own policies grant
SESSION = K.SESSION

#: resource type -> ((attribute, kind), ...) of its policy documents: every argument of the
#: AWS provider (6.x) that holds an IAM policy document. ``block.attribute`` is an attribute
#: of a nested block (``details { policy = ... }``). docs/extraction.md (Terraform) lists them.
RESOURCE_POLICIES: dict[str, tuple[tuple[str, DocKind], ...]] = {
    # identity policies and roles
    "aws_iam_policy": (("policy", K.IDENTITY),),
    "aws_iam_role": (("assume_role_policy", K.TRUST),),
    "aws_iam_role_policy": (("policy", K.IDENTITY),),
    "aws_iam_user_policy": (("policy", K.IDENTITY),),
    "aws_iam_group_policy": (("policy", K.IDENTITY),),
    "aws_ssoadmin_permission_set_inline_policy": (("inline_policy", K.IDENTITY),),
    "aws_iot_policy": (("policy", K.IOT),),
    # session policies
    "aws_eks_pod_identity_association": (("policy", SESSION),),
    "aws_rolesanywhere_profile": (("session_policy", SESSION),),
    "aws_transfer_access": (("policy", SESSION),),
    "aws_transfer_user": (("policy", SESSION),),
    # resource policies
    "aws_acmpca_policy": (("policy", K.RESOURCE),),
    "aws_api_gateway_domain_name": (("policy", K.RESOURCE),),
    "aws_api_gateway_rest_api": (("policy", K.RESOURCE),),
    "aws_api_gateway_rest_api_policy": (("policy", K.RESOURCE),),
    "aws_backup_vault_policy": (("policy", K.RESOURCE),),
    "aws_bedrockagentcore_resource_policy": (("policy", K.RESOURCE),),
    "aws_cloudsearch_domain_service_access_policy": (("access_policy", K.RESOURCE),),
    "aws_cloudwatch_event_bus_policy": (("policy", K.RESOURCE),),
    "aws_cloudwatch_log_delivery_destination_policy": (("delivery_destination_policy", K.RESOURCE),),
    "aws_cloudwatch_log_destination_policy": (("access_policy", K.RESOURCE),),
    "aws_cloudwatch_log_resource_policy": (("policy_document", K.RESOURCE),),
    "aws_codeartifact_domain_permissions_policy": (("policy_document", K.RESOURCE),),
    "aws_codeartifact_repository_permissions_policy": (("policy_document", K.RESOURCE),),
    "aws_codebuild_resource_policy": (("policy", K.RESOURCE),),
    "aws_dynamodb_resource_policy": (("policy", K.RESOURCE),),
    "aws_ecr_registry_policy": (("policy", K.RESOURCE),),
    "aws_ecr_repository_creation_template": (("repository_policy", K.RESOURCE),),
    "aws_ecr_repository_policy": (("policy", K.RESOURCE),),
    "aws_ecrpublic_repository_policy": (("policy", K.RESOURCE),),
    "aws_efs_file_system_policy": (("policy", K.RESOURCE),),
    "aws_elasticsearch_domain": (("access_policies", K.RESOURCE),),
    "aws_elasticsearch_domain_policy": (("access_policies", K.RESOURCE),),
    "aws_fsx_s3_access_point_attachment": (("s3_access_point.policy", K.RESOURCE),),
    "aws_glacier_vault": (("access_policy", K.RESOURCE),),
    "aws_glacier_vault_lock": (("policy", K.RESOURCE),),
    "aws_glue_resource_policy": (("policy", K.RESOURCE),),
    "aws_kinesis_resource_policy": (("policy", K.RESOURCE),),
    "aws_kms_external_key": (("policy", K.RESOURCE),),
    "aws_kms_key": (("policy", K.RESOURCE),),
    "aws_kms_key_policy": (("policy", K.RESOURCE),),
    "aws_kms_replica_external_key": (("policy", K.RESOURCE),),
    "aws_kms_replica_key": (("policy", K.RESOURCE),),
    "aws_media_store_container_policy": (("policy", K.RESOURCE),),
    "aws_msk_cluster_policy": (("policy", K.RESOURCE),),
    "aws_networkfirewall_resource_policy": (("policy", K.RESOURCE),),
    "aws_oam_sink_policy": (("policy", K.RESOURCE),),
    "aws_opensearch_domain": (("access_policies", K.RESOURCE),),
    "aws_opensearch_domain_policy": (("access_policies", K.RESOURCE),),
    "aws_organizations_resource_policy": (("content", K.RESOURCE),),
    "aws_osis_resource_policy": (("policy", K.RESOURCE),),
    "aws_prometheus_resource_policy": (("policy_document", K.RESOURCE),),
    "aws_redshift_resource_policy": (("policy", K.RESOURCE),),
    "aws_redshiftserverless_resource_policy": (("policy", K.RESOURCE),),
    "aws_s3_access_point": (("policy", K.RESOURCE),),
    "aws_s3_bucket": (("policy", K.RESOURCE),),
    "aws_s3_bucket_policy": (("policy", K.RESOURCE),),
    "aws_s3control_access_grants_instance_resource_policy": (("policy", K.RESOURCE),),
    "aws_s3control_access_point_policy": (("policy", K.RESOURCE),),
    "aws_s3control_bucket_policy": (("policy", K.RESOURCE),),
    "aws_s3control_multi_region_access_point_policy": (("details.policy", K.RESOURCE),),
    "aws_s3control_object_lambda_access_point_policy": (("policy", K.RESOURCE),),
    "aws_s3files_file_system_policy": (("policy", K.RESOURCE),),
    "aws_s3tables_table_bucket_policy": (("resource_policy", K.RESOURCE),),
    "aws_s3tables_table_policy": (("resource_policy", K.RESOURCE),),
    "aws_s3vectors_vector_bucket_policy": (("policy", K.RESOURCE),),
    "aws_sagemaker_model_package_group_policy": (("resource_policy", K.RESOURCE),),
    "aws_schemas_registry_policy": (("policy", K.RESOURCE),),
    "aws_secretsmanager_secret": (("policy", K.RESOURCE),),
    "aws_secretsmanager_secret_policy": (("policy", K.RESOURCE),),
    "aws_ses_identity_policy": (("policy", K.RESOURCE),),
    "aws_sesv2_email_identity_policy": (("policy", K.RESOURCE),),
    "aws_sns_topic": (("policy", K.RESOURCE),),
    "aws_sns_topic_policy": (("policy", K.RESOURCE),),
    "aws_sqs_queue": (("policy", K.RESOURCE),),
    "aws_sqs_queue_policy": (("policy", K.RESOURCE),),
    "aws_vpclattice_auth_policy": (("policy", K.RESOURCE),),
    "aws_vpclattice_resource_policy": (("policy", K.RESOURCE),),
    "aws_xray_resource_policy": (("policy_document", K.RESOURCE),),
    # VPC endpoint policies
    "aws_odb_network": (
        ("kms_policy_document", K.ENDPOINT),
        ("s3_policy_document", K.ENDPOINT),
        ("sts_policy_document", K.ENDPOINT),
    ),
    "aws_vpc_endpoint": (("policy", K.ENDPOINT),),
    "aws_vpc_endpoint_policy": (("policy", K.ENDPOINT),),
    # AWS Organizations
    "aws_organizations_policy": (("content", K.SCP),),
}

#: resources whose arguments are one resource-policy statement that AWS writes for them
#: (docs/extraction.md, Terraform section): see `permissions`
PERMISSIONS = ("aws_lambda_permission", "aws_lambda_layer_version_permission")

#: aws_organizations_policy types written in the IAM policy language, and their kinds
#: (``type`` defaults to SERVICE_CONTROL_POLICY)
ORG_POLICY_KINDS = {"SERVICE_CONTROL_POLICY": K.SCP, "RESOURCE_CONTROL_POLICY": K.RCP}

PRINCIPAL_TYPES = {
    "aws_iam_role": "role",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_ssoadmin_permission_set": "permission-set",
}
#: inline policy resources: type -> attribute naming the principal
INLINE = {
    "aws_iam_role_policy": ("role", "aws_iam_role"),
    "aws_iam_user_policy": ("user", "aws_iam_user"),
    "aws_iam_group_policy": ("group", "aws_iam_group"),
    "aws_ssoadmin_permission_set_inline_policy": ("permission_set_arn", "aws_ssoadmin_permission_set"),
}
#: attachment resources: type -> (attribute naming the principal, principal type, policy attribute)
ATTACH = {
    "aws_iam_role_policy_attachment": ("role", "aws_iam_role", "policy_arn"),
    "aws_iam_user_policy_attachment": ("user", "aws_iam_user", "policy_arn"),
    "aws_iam_group_policy_attachment": ("group", "aws_iam_group", "policy_arn"),
    "aws_ssoadmin_managed_policy_attachment": (
        "permission_set_arn",
        "aws_ssoadmin_permission_set",
        "managed_policy_arn",
    ),
}

#: resources that may carry a policy attribute but usually do not: parsed only when their
#: text names it
OPTIONAL_POLICY = {
    "aws_api_gateway_domain_name",
    "aws_api_gateway_rest_api",
    "aws_ecr_repository_creation_template",
    "aws_eks_pod_identity_association",
    "aws_elasticsearch_domain",
    "aws_fsx_s3_access_point_attachment",
    "aws_glacier_vault",
    "aws_kms_external_key",
    "aws_kms_key",
    "aws_kms_replica_external_key",
    "aws_kms_replica_key",
    "aws_odb_network",
    "aws_opensearch_domain",
    "aws_rolesanywhere_profile",
    "aws_s3_access_point",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_transfer_access",
    "aws_transfer_user",
    "aws_vpc_endpoint",
}
MEMBERSHIP = (
    "aws_iam_policy_attachment",
    "aws_iam_group_membership",
    "aws_iam_user_group_membership",
    "aws_iam_access_key",
)
#: every resource type the extractor reads
RELEVANT = (
    frozenset(RESOURCE_POLICIES)
    | frozenset(PRINCIPAL_TYPES)
    | frozenset(INLINE)
    | frozenset(ATTACH)
    | frozenset(MEMBERSHIP)
    | frozenset(PERMISSIONS)
)

STATEMENT_LISTS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)

#: resource policies attached to one resource: their "*" (or absent) Resource means that
#: resource (see PolicyDocument.single_resource)
SINGLE_RESOURCE_TYPES = frozenset(
    {
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_kms_replica_key",
        "aws_secretsmanager_secret_policy",
        "aws_secretsmanager_secret",
        "aws_ecr_repository_policy",
        "aws_ecrpublic_repository_policy",
        "aws_ecr_repository_creation_template",
        "aws_kms_external_key",
        "aws_kms_replica_external_key",
        "aws_efs_file_system_policy",
        "aws_backup_vault_policy",
        "aws_codeartifact_domain_permissions_policy",
        "aws_codeartifact_repository_permissions_policy",
        "aws_lambda_permission",
        "aws_lambda_layer_version_permission",
    }
)


def is_tf_plan(node: Any) -> bool:
    """The JSON of ``terraform show -json PLAN``."""
    return (
        isinstance(node, dict)
        and "format_version" in node
        and ("planned_values" in node or "resource_changes" in node)
    )


#: which IAM resource type's ARN an attribute of a resource (or data source) of that type is
#: (see `Unknown.arn_types`): type -> {attribute: IAM types as ``service:type``}, as the AWS
#: provider documents the attributes (``aws_sqs_queue``'s ``id`` is its URL, not here;
#: ``aws_cloudwatch_log_group``'s ``arn`` has no ``:*`` suffix: the group, not its streams)
ARN_ATTRIBUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "aws_sqs_queue": {"arn": ("sqs:queue",)},
    "aws_sns_topic": {"arn": ("sns:topic",), "id": ("sns:topic",)},
    "aws_s3_bucket": {"arn": ("s3:bucket",)},
    "aws_s3_access_point": {"arn": ("s3:accesspoint",)},
    "aws_dynamodb_table": {"arn": ("dynamodb:table",), "stream_arn": ("dynamodb:stream",)},
    "aws_lambda_function": {"arn": ("lambda:function",)},
    "aws_kms_key": {"arn": ("kms:key",)},
    "aws_kms_replica_key": {"arn": ("kms:key",)},
    "aws_secretsmanager_secret": {"arn": ("secretsmanager:Secret",), "id": ("secretsmanager:Secret",)},
    "aws_iam_role": {"arn": ("iam:role",)},
    "aws_iam_user": {"arn": ("iam:user",)},
    "aws_iam_group": {"arn": ("iam:group",)},
    "aws_iam_instance_profile": {"arn": ("iam:instance-profile",)},
    "aws_iam_policy": {"arn": ("iam:policy",), "id": ("iam:policy",)},
    "aws_kinesis_stream": {"arn": ("kinesis:stream",)},
    "aws_kinesis_firehose_delivery_stream": {"arn": ("firehose:deliverystream",)},
    "aws_sfn_state_machine": {"arn": ("states:statemachine",)},
    "aws_cloudwatch_log_group": {"arn": ("logs:log-group",)},
    "aws_ecr_repository": {"arn": ("ecr:repository",)},
    "aws_cloudwatch_event_bus": {"arn": ("events:event-bus",)},
    "aws_codebuild_project": {"arn": ("codebuild:project",)},
    "aws_ecs_cluster": {"arn": ("ecs:cluster",)},
    "aws_ecs_task_definition": {"arn": ("ecs:task-definition",)},
    "aws_cloudwatch_metric_alarm": {"arn": ("cloudwatch:alarm",)},
    "aws_cognito_user_pool": {"arn": ("cognito-idp:userpool",)},
    "aws_cloudtrail": {"arn": ("cloudtrail:trail",)},
    "aws_efs_file_system": {"arn": ("elasticfilesystem:file-system",)},
    "aws_efs_access_point": {"arn": ("elasticfilesystem:access-point",)},
    "aws_opensearch_domain": {"arn": ("es:domain",)},
    "aws_elasticsearch_domain": {"arn": ("es:domain",)},
    "aws_codecommit_repository": {"arn": ("codecommit:repository",)},
    "aws_eks_cluster": {"arn": ("eks:cluster",)},
    "aws_rds_cluster": {"arn": ("rds:cluster",)},
    "aws_db_instance": {"arn": ("rds:db",)},
    "aws_ssm_parameter": {"arn": ("ssm:parameter",)},
    "aws_lb_target_group": {"arn": ("elasticloadbalancing:targetgroup",)},
    "aws_batch_job_queue": {"arn": ("batch:job-queue",)},
    "aws_scheduler_schedule": {"arn": ("scheduler:schedule",)},
}
