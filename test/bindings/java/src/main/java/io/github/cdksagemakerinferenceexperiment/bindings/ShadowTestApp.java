package io.github.cdksagemakerinferenceexperiment.bindings;

import io.github.cdksagemakerinferenceexperiment.BucketDataCaptureOptions;
import io.github.cdksagemakerinferenceexperiment.DataCapture;
import io.github.cdksagemakerinferenceexperiment.DiskUtilizationAlarmOptions;
import io.github.cdksagemakerinferenceexperiment.ErrorRateCriterionOptions;
import io.github.cdksagemakerinferenceexperiment.ExistingEndpoint;
import io.github.cdksagemakerinferenceexperiment.ExistingModel;
import io.github.cdksagemakerinferenceexperiment.InferenceExperiment;
import io.github.cdksagemakerinferenceexperiment.InferenceExperimentProps;
import io.github.cdksagemakerinferenceexperiment.InstanceType;
import io.github.cdksagemakerinferenceexperiment.LatencyCriterionOptions;
import io.github.cdksagemakerinferenceexperiment.LatencyMetric;
import io.github.cdksagemakerinferenceexperiment.LatencyRegressionAlarmOptions;
import io.github.cdksagemakerinferenceexperiment.ModelVariant;
import io.github.cdksagemakerinferenceexperiment.PromoteShadowOptions;
import io.github.cdksagemakerinferenceexperiment.PromotedInstanceSettings;
import io.github.cdksagemakerinferenceexperiment.RealTimeModelVariantProps;
import io.github.cdksagemakerinferenceexperiment.Schedule;
import io.github.cdksagemakerinferenceexperiment.ShadowErrorRateAlarmOptions;
import io.github.cdksagemakerinferenceexperiment.ShadowModeConfig;
import io.github.cdksagemakerinferenceexperiment.ShadowModeConfigProps;
import io.github.cdksagemakerinferenceexperiment.ShadowTestDashboard;
import io.github.cdksagemakerinferenceexperiment.ShadowTestDashboardProps;
import io.github.cdksagemakerinferenceexperiment.ShadowTestVerdict;
import io.github.cdksagemakerinferenceexperiment.UtilizationCriterionOptions;
import io.github.cdksagemakerinferenceexperiment.UtilizationMetric;
import io.github.cdksagemakerinferenceexperiment.VerdictCriterion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.CfnRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.sagemaker.CfnEndpoint;
import software.amazon.awscdk.services.sagemaker.CfnEndpointConfig;
import software.amazon.awscdk.services.sagemaker.CfnModel;
import software.amazon.jsii.JsiiException;

/**
 * The shadow test of ../reference/app.ts, in Java, with the library's jar (dist/java) and aws-cdk-lib from Maven Central.
 *
 * <p>It writes its cloud assembly where CDK_OUTDIR says; {@code npx projen test:bindings} compares its template with
 * the reference app's. Then it checks, in Java, that the library's errors reach a Java caller as exceptions carrying
 * the library's message, and prints one line per check: "ok N - name" or "not ok N - name", with "# " lines that say
 * why.
 */
public final class ShadowTestApp {
    private ShadowTestApp() {
    }

    /** A new app with one stack: no version reporting (the CDKMetadata resource names the language), a fixed env. */
    private static Stack newStack(final App app, final String id) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().account("123456789012").region("us-east-1").build())
                .build());
    }

    private static App newApp() {
        return new App(AppProps.builder().analyticsReporting(false).build());
    }

    static void shadowTest(final Stack stack) {
        // The README's complete example: the models' role, the two models, the endpoint that serves the production variant.
        Role role = Role.Builder.create(stack, "ModelRole")
                .assumedBy(new ServicePrincipal("sagemaker.amazonaws.com"))
                .build();
        String image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
        CfnModel productionModel = CfnModel.Builder.create(stack, "ProductionModel")
                .executionRoleArn(role.getRoleArn())
                .primaryContainer(CfnModel.ContainerDefinitionProperty.builder()
                        .image(image)
                        .modelDataUrl("s3://amzn-s3-demo-bucket/models/v1/model.tar.gz")
                        .build())
                .build();
        CfnModel candidateModel = CfnModel.Builder.create(stack, "CandidateModel")
                .executionRoleArn(role.getRoleArn())
                .primaryContainer(CfnModel.ContainerDefinitionProperty.builder()
                        .image(image)
                        .modelDataUrl("s3://amzn-s3-demo-bucket/models/v2/model.tar.gz")
                        .build())
                .build();

        ModelVariant production = ModelVariant.realTime(RealTimeModelVariantProps.builder()
                .variantName("production")
                .model(productionModel)
                .instanceType(InstanceType.ML_M5_XLARGE)
                .build());
        CfnEndpointConfig endpointConfig = CfnEndpointConfig.Builder.create(stack, "EndpointConfig")
                .productionVariants(List.of(production.toProductionVariant()))
                .build();
        CfnEndpoint endpoint = CfnEndpoint.Builder.create(stack, "Endpoint")
                .endpointConfigName(endpointConfig.getAttrEndpointConfigName())
                .build();

        // Captured requests and responses go to a bucket encrypted with a key of the app.
        Key key = Key.Builder.create(stack, "Key").enableKeyRotation(true).build();
        Bucket captures = Bucket.Builder.create(stack, "Captures").encryptionKey(key).enforceSsl(true).build();

        InferenceExperiment experiment = InferenceExperiment.Builder.create(stack, "ShadowTest")
                .endpoint(endpoint)
                .description("Candidate v2 shadowing production v1")
                .shadowMode(ShadowModeConfig.of(ShadowModeConfigProps.builder()
                        .production(production)
                        .shadow(ModelVariant.realTime(RealTimeModelVariantProps.builder()
                                .variantName("candidate")
                                .model(candidateModel)
                                .instanceType(InstanceType.ML_M5_XLARGE)
                                .build()))
                        .samplingPercentage(50)
                        .build()))
                .schedule(Schedule.startingAt(Instant.parse("2027-01-04T09:00:00Z"), Duration.days(14)))
                .dataCapture(DataCapture.toBucket(captures, BucketDataCaptureOptions.builder()
                        .prefix("shadow-tests/")
                        .encryptionKey(key)
                        .jsonContentTypes(List.of("application/json"))
                        .csvContentTypes(List.of("text/csv"))
                        .build()))
                .tags(Map.of("team", "ml-platform", "stage", "beta"))
                .build();

        // An operator who follows the test and may stop it.
        Role operator = Role.Builder.create(stack, "Operator").assumedBy(new AccountRootPrincipal()).build();
        experiment.getGrants().read(operator);
        experiment.getGrants().stop(operator);

        // The verdict on the candidate, judged against production while the test runs and once it has ended.
        ShadowTestVerdict verdict = ShadowTestVerdict.Builder.create(stack, "Verdict")
                .experiment(experiment)
                .criteria(List.of(
                        VerdictCriterion.errorRate(ErrorRateCriterionOptions.builder()
                                .maxIncreasePercentagePoints(0.5)
                                .build()),
                        VerdictCriterion.latency(LatencyCriterionOptions.builder()
                                .percentile(99)
                                .maxRegressionPercent(15)
                                .allowedFailingPercent(5)
                                .build()),
                        VerdictCriterion.latency(LatencyCriterionOptions.builder()
                                .percentile(50)
                                .maxRegressionPercent(10)
                                .metric(LatencyMetric.OVERHEAD_LATENCY)
                                .build()),
                        VerdictCriterion.utilization(UtilizationCriterionOptions.builder()
                                .metric(UtilizationMetric.MEMORY)
                                .maxIncreasePercentagePoints(10)
                                .allowedFailingPeriods(2)
                                .build())))
                .minShadowInvocations(500)
                .period(Duration.hours(2))
                .evaluationInterval(Duration.minutes(30))
                .interimVerdicts(true)
                .stopOnFail(true)
                .build();

        // The comparison of the variants, and the alarms that the decision rests on.
        new ShadowTestDashboard(stack, "Comparison", ShadowTestDashboardProps.builder()
                .metrics(experiment.getMetrics())
                .dashboardName("shadow-test")
                .verdict(verdict)
                .build());
        experiment.getMetrics().createShadowErrorRateAlarm(stack, "ShadowErrors",
                ShadowErrorRateAlarmOptions.builder().maxErrorRatePercent(1).build());
        experiment.getMetrics().createLatencyRegressionAlarm(stack, "ShadowLatency",
                LatencyRegressionAlarmOptions.builder().maxRegressionPercent(10).build());
        experiment.getMetrics().createDiskUtilizationAlarm(stack, "CaptureDisk",
                DiskUtilizationAlarmOptions.builder().threshold(80).build());

        // The outcome, deployed while the test runs: the candidate replaces production, on production's instances.
        experiment.promoteShadow(PromoteShadowOptions.builder()
                .reason("p99 latency 12% lower, same error rate")
                .instanceSettings(PromotedInstanceSettings.PRODUCTION)
                .build());
    }

    /** The props of an experiment on an endpoint and models outside the app. */
    private static InferenceExperimentProps.Builder experimentProps(final Stack stack, final String shadowVariantName,
            final Number samplingPercentage) {
        return InferenceExperimentProps.builder()
                .endpoint(ExistingEndpoint.fromEndpointName(stack, "Endpoint", "fraud-detector"))
                .shadowMode(ShadowModeConfig.of(ShadowModeConfigProps.builder()
                        .production(ModelVariant.realTime(RealTimeModelVariantProps.builder()
                                .variantName("production")
                                .model(ExistingModel.fromModelName(stack, "ProductionModel", "fraud-v1"))
                                .instanceType(InstanceType.ML_M5_XLARGE)
                                .build()))
                        .shadow(ModelVariant.realTime(RealTimeModelVariantProps.builder()
                                .variantName(shadowVariantName)
                                .model(ExistingModel.fromModelName(stack, "CandidateModel", "fraud-v2"))
                                .instanceType(InstanceType.of("ml.m5.xlarge"))
                                .build()))
                        .samplingPercentage(samplingPercentage)
                        .build()));
    }

    /** What a build step throws. */
    @FunctionalInterface
    private interface Build {
        void run() throws Exception;
    }

    /**
     * Null when build throws the library's error with a message that matches every pattern; otherwise what went wrong.
     *
     * <p>The jsii runtime throws an error of the JavaScript code, with its message followed by its JavaScript stack, as
     * a JsiiError, or as a RuntimeException from the runtime's own frames when the kernel names it a runtime error.
     */
    private static String refused(final Build build, final String... patterns) {
        try {
            build.run();
        } catch (Exception error) {
            String text = String.valueOf(error.getMessage());
            int stack = text.indexOf("\nError: ");
            String message = stack < 0 ? text : text.substring(0, stack);
            if (!(error instanceof JsiiException) && !(error.getClass() == RuntimeException.class && thrownByJsii(error))) {
                return "threw " + error.getClass().getName() + ", not the library's error: " + message;
            }
            for (String pattern : patterns) {
                if (!Pattern.compile(pattern).matcher(message).find()) {
                    return "the library's message does not match /" + pattern + "/: " + message;
                }
            }
            return null;
        }
        return "no exception: the input was accepted";
    }

    private static boolean thrownByJsii(final Throwable error) {
        for (StackTraceElement frame : error.getStackTrace()) {
            if (frame.getClassName().startsWith("software.amazon.jsii.")) {
                return true;
            }
        }
        return false;
    }

    private static String checkSamplingPercentage() {
        Stack stack = newStack(newApp(), "Checks");
        return refused(() -> new InferenceExperiment(stack, "Experiment", experimentProps(stack, "candidate", 101).build()),
                "shadowMode\\.samplingPercentage: got 101", "from 0 to 100");
    }

    private static String checkVariantName() {
        Stack stack = newStack(newApp(), "Checks");
        return refused(() -> new InferenceExperiment(stack, "Experiment", experimentProps(stack, "candidate_v2", 50).build()),
                "shadowMode\\.shadow\\.variantName: got \"candidate_v2\"");
    }

    private static String checkCfnRole() {
        Stack stack = newStack(newApp(), "Checks");
        CfnRole cfnRole = CfnRole.Builder.create(stack, "CfnRole")
                .assumeRolePolicyDocument(Map.of(
                        "Version", "2012-10-17",
                        "Statement", List.of(Map.of(
                                "Effect", "Allow",
                                "Action", "sts:AssumeRole",
                                "Principal", Map.of("Service", "sagemaker.amazonaws.com")))))
                .build();
        InferenceExperimentProps.Builder props = experimentProps(stack, "candidate", 50).role(cfnRole);
        return refused(() -> {
            new InferenceExperiment(stack, "Experiment", props.build());
        }, "role", "(?i)grant");
    }

    private static String checkLatencyPercentile() {
        return refused(() -> VerdictCriterion.latency(LatencyCriterionOptions.builder()
                .percentile(100)
                .maxRegressionPercent(10)
                .build()), "percentile: got 100");
    }

    private static final List<Map.Entry<String, Supplier<String>>> CHECKS = List.of(
            Map.entry("a sampling percentage of 101 throws the library's error naming shadowMode.samplingPercentage",
                    ShadowTestApp::checkSamplingPercentage),
            Map.entry("an invalid variant name throws the library's error naming shadowMode.shadow.variantName",
                    ShadowTestApp::checkVariantName),
            Map.entry("an iam.CfnRole as role throws the library's error: role must be able to receive grants",
                    ShadowTestApp::checkCfnRole),
            Map.entry("a latency percentile of 100 throws the library's error naming percentile",
                    ShadowTestApp::checkLatencyPercentile));

    public static void main(final String[] args) {
        App app = newApp();
        shadowTest(newStack(app, "ShadowTest"));
        app.synth();

        int failed = 0;
        for (int i = 0; i < CHECKS.size(); i++) {
            String problem = CHECKS.get(i).getValue().get();
            if (problem == null) {
                System.out.printf("ok %d - %s%n", i + 1, CHECKS.get(i).getKey());
            } else {
                failed++;
                System.out.printf("not ok %d - %s%n", i + 1, CHECKS.get(i).getKey());
                for (String line : problem.split("\n")) {
                    System.out.println("# " + line);
                }
            }
        }
        System.out.flush();
        if (failed > 0) {
            System.exit(1);
        }
    }
}
