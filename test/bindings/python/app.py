"""The shadow test of ../reference/app.ts, in Python, with the library's wheel (dist/python) and aws-cdk-lib from PyPI.

It writes its cloud assembly where CDK_OUTDIR says; `npx projen test:bindings` compares its template with the
reference app's. Then it checks, in Python, that the library's errors reach a Python caller as exceptions carrying
the library's message, and prints one line per check: "ok N - name" or "not ok N - name", with "# " lines that say
why.
"""

import re
import sys
from datetime import datetime, timezone
from typing import Callable, List, Optional, Tuple

from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from jsii.errors import JavaScriptError

from cdk_sagemaker_inference_experiment import (
    DataCapture,
    ExistingEndpoint,
    ExistingModel,
    InferenceExperiment,
    InstanceType,
    LatencyMetric,
    ModelVariant,
    PromotedInstanceSettings,
    Schedule,
    ShadowModeConfig,
    ShadowTestDashboard,
    ShadowTestVerdict,
    UtilizationMetric,
    VerdictCriterion,
)


def new_stack(stack_id: str) -> Tuple[App, Stack]:
    # No version reporting (the CDKMetadata resource names the language), and a fixed account and region.
    app = App(analytics_reporting=False)
    return app, Stack(app, stack_id, env=Environment(account="123456789012", region="us-east-1"))


def shadow_test(stack: Stack) -> None:
    # The README's complete example: the models' role, the two models, the endpoint that serves the production variant.
    role = iam.Role(stack, "ModelRole", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    production_model = sagemaker.CfnModel(
        stack,
        "ProductionModel",
        execution_role_arn=role.role_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image=image, model_data_url="s3://amzn-s3-demo-bucket/models/v1/model.tar.gz"
        ),
    )
    candidate_model = sagemaker.CfnModel(
        stack,
        "CandidateModel",
        execution_role_arn=role.role_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image=image, model_data_url="s3://amzn-s3-demo-bucket/models/v2/model.tar.gz"
        ),
    )

    production = ModelVariant.real_time(
        variant_name="production",
        model=production_model,
        instance_type=InstanceType.ML_M5_XLARGE,
    )
    endpoint_config = sagemaker.CfnEndpointConfig(
        stack, "EndpointConfig", production_variants=[production.to_production_variant()]
    )
    endpoint = sagemaker.CfnEndpoint(
        stack, "Endpoint", endpoint_config_name=endpoint_config.attr_endpoint_config_name
    )

    # Captured requests and responses go to a bucket encrypted with a key of the app.
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    captures = s3.Bucket(stack, "Captures", encryption_key=key, enforce_ssl=True)

    experiment = InferenceExperiment(
        stack,
        "ShadowTest",
        endpoint=endpoint,
        description="Candidate v2 shadowing production v1",
        shadow_mode=ShadowModeConfig.of(
            production=production,
            shadow=ModelVariant.real_time(
                variant_name="candidate",
                model=candidate_model,
                instance_type=InstanceType.ML_M5_XLARGE,
            ),
            sampling_percentage=50,
        ),
        schedule=Schedule.starting_at(datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc), Duration.days(14)),
        data_capture=DataCapture.to_bucket(
            captures,
            prefix="shadow-tests/",
            encryption_key=key,
            json_content_types=["application/json"],
            csv_content_types=["text/csv"],
        ),
        tags={"team": "ml-platform", "stage": "beta"},
    )

    # An operator who follows the test and may stop it.
    operator = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    experiment.grants.read(operator)
    experiment.grants.stop(operator)

    # The verdict on the candidate, judged against production while the test runs and once it has ended.
    verdict = ShadowTestVerdict(
        stack,
        "Verdict",
        experiment=experiment,
        criteria=[
            VerdictCriterion.error_rate(max_increase_percentage_points=0.5),
            VerdictCriterion.latency(percentile=99, max_regression_percent=15, allowed_failing_percent=5),
            VerdictCriterion.latency(percentile=50, max_regression_percent=10, metric=LatencyMetric.OVERHEAD_LATENCY),
            VerdictCriterion.utilization(
                metric=UtilizationMetric.MEMORY, max_increase_percentage_points=10, allowed_failing_periods=2
            ),
        ],
        min_shadow_invocations=500,
        period=Duration.hours(2),
        evaluation_interval=Duration.minutes(30),
        interim_verdicts=True,
        stop_on_fail=True,
    )

    # The comparison of the variants, and the alarms that the decision rests on.
    ShadowTestDashboard(stack, "Comparison", metrics=experiment.metrics, dashboard_name="shadow-test", verdict=verdict)
    experiment.metrics.create_shadow_error_rate_alarm(stack, "ShadowErrors", max_error_rate_percent=1)
    experiment.metrics.create_latency_regression_alarm(stack, "ShadowLatency", max_regression_percent=10)
    experiment.metrics.create_disk_utilization_alarm(stack, "CaptureDisk", threshold=80)

    # The outcome, deployed while the test runs: the candidate replaces production, on production's instances.
    experiment.promote_shadow(
        reason="p99 latency 12% lower, same error rate",
        instance_settings=PromotedInstanceSettings.PRODUCTION,
    )


def experiment_props(stack: Stack, shadow_variant_name: str, sampling_percentage: float) -> dict:
    """The props of an experiment on an endpoint and models outside the app."""
    return dict(
        endpoint=ExistingEndpoint.from_endpoint_name(stack, "Endpoint", "fraud-detector"),
        shadow_mode=ShadowModeConfig.of(
            production=ModelVariant.real_time(
                variant_name="production",
                model=ExistingModel.from_model_name(stack, "ProductionModel", "fraud-v1"),
                instance_type=InstanceType.ML_M5_XLARGE,
            ),
            shadow=ModelVariant.real_time(
                variant_name=shadow_variant_name,
                model=ExistingModel.from_model_name(stack, "CandidateModel", "fraud-v2"),
                instance_type=InstanceType.of("ml.m5.xlarge"),
            ),
            sampling_percentage=sampling_percentage,
        ),
    )


def refused(build: Callable[[], object], *patterns: str) -> Optional[str]:
    """None when build raises the library's error (a RuntimeError raised from the JavaScript error) with a message
    that matches every pattern; otherwise what went wrong."""
    try:
        build()
    except Exception as error:  # noqa: BLE001: any exception is reported, the wrong kind included
        message = str(error)
        if not (isinstance(error, RuntimeError) and isinstance(error.__cause__, JavaScriptError)):
            return f"raised {type(error).__name__}, not the library's error: {message}"
        for pattern in patterns:
            if not re.search(pattern, message):
                return f"the library's message does not match /{pattern}/: {message}"
        return None
    return "no exception: the input was accepted"


def check_sampling_percentage() -> Optional[str]:
    _, stack = new_stack("Checks")
    return refused(
        lambda: InferenceExperiment(stack, "Experiment", **experiment_props(stack, "candidate", 101)),
        r"shadowMode\.samplingPercentage: got 101",
        r"from 0 to 100",
    )


def check_variant_name() -> Optional[str]:
    _, stack = new_stack("Checks")
    return refused(
        lambda: InferenceExperiment(stack, "Experiment", **experiment_props(stack, "candidate_v2", 50)),
        r'shadowMode\.shadow\.variantName: got "candidate_v2"',
    )


def check_cfn_role() -> Optional[str]:
    _, stack = new_stack("Checks")
    cfn_role = iam.CfnRole(
        stack,
        "CfnRole",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"}}
            ],
        },
    )
    return refused(
        lambda: InferenceExperiment(stack, "Experiment", role=cfn_role, **experiment_props(stack, "candidate", 50)),
        r"role",
        r"(?i)grant",
    )


def check_latency_percentile() -> Optional[str]:
    return refused(
        lambda: VerdictCriterion.latency(percentile=100, max_regression_percent=10),
        r"percentile: got 100",
    )


CHECKS: List[Tuple[str, Callable[[], Optional[str]]]] = [
    ("a sampling percentage of 101 raises the library's error naming shadowMode.samplingPercentage", check_sampling_percentage),
    ("an invalid variant name raises the library's error naming shadowMode.shadow.variantName", check_variant_name),
    ("an iam.CfnRole as role raises the library's error: role must be able to receive grants", check_cfn_role),
    ("a latency percentile of 100 raises the library's error naming percentile", check_latency_percentile),
]


def main() -> int:
    app, stack = new_stack("ShadowTest")
    shadow_test(stack)
    app.synth()

    failed = 0
    for number, (name, check) in enumerate(CHECKS, start=1):
        problem = check()
        if problem is None:
            print(f"ok {number} - {name}")
        else:
            failed += 1
            print(f"not ok {number} - {name}")
            for line in problem.splitlines():
                print(f"# {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
