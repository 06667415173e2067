// The shadow test of ../reference/app.ts, in Go, with the library's Go module as jsii-pacmak generates it (go.mod
// replaces the module by dist/go/inferenceexperiment) and aws-cdk-go from the Go module proxy.
//
// It writes its cloud assembly where CDK_OUTDIR says; `npx projen test:bindings` compares its template with the
// reference app's. Then it checks, in Go, that the library's errors reach a Go caller as panics carrying the
// library's message, and prints one line per check: "ok N - name" or "not ok N - name", with "# " lines that say why.
package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssagemaker"
	"github.com/aws/jsii-runtime-go"
	ie "github.com/cdk-sagemaker-inference-experiment/cdk-sagemaker-inference-experiment-go/inferenceexperiment"
)

// No version reporting (the CDKMetadata resource names the language), and a fixed account and region.
func newStack(id string) (awscdk.App, awscdk.Stack) {
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	return app, awscdk.NewStack(app, jsii.String(id), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
	})
}

func shadowTest(stack awscdk.Stack) {
	// The README's complete example: the models' role, the two models, the endpoint that serves the production variant.
	role := awsiam.NewRole(stack, jsii.String("ModelRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("sagemaker.amazonaws.com"), nil),
	})
	image := jsii.String("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")
	productionModel := awssagemaker.NewCfnModel(stack, jsii.String("ProductionModel"), &awssagemaker.CfnModelProps{
		ExecutionRoleArn: role.RoleArn(),
		PrimaryContainer: &awssagemaker.CfnModel_ContainerDefinitionProperty{
			Image:        image,
			ModelDataUrl: jsii.String("s3://amzn-s3-demo-bucket/models/v1/model.tar.gz"),
		},
	})
	candidateModel := awssagemaker.NewCfnModel(stack, jsii.String("CandidateModel"), &awssagemaker.CfnModelProps{
		ExecutionRoleArn: role.RoleArn(),
		PrimaryContainer: &awssagemaker.CfnModel_ContainerDefinitionProperty{
			Image:        image,
			ModelDataUrl: jsii.String("s3://amzn-s3-demo-bucket/models/v2/model.tar.gz"),
		},
	})

	production := ie.ModelVariant_RealTime(&ie.RealTimeModelVariantProps{
		VariantName:  jsii.String("production"),
		Model:        productionModel,
		InstanceType: ie.InstanceType_ML_M5_XLARGE(),
	})
	endpointConfig := awssagemaker.NewCfnEndpointConfig(stack, jsii.String("EndpointConfig"), &awssagemaker.CfnEndpointConfigProps{
		ProductionVariants: &[]interface{}{production.ToProductionVariant()},
	})
	endpoint := awssagemaker.NewCfnEndpoint(stack, jsii.String("Endpoint"), &awssagemaker.CfnEndpointProps{
		EndpointConfigName: endpointConfig.AttrEndpointConfigName(),
	})

	// Captured requests and responses go to a bucket encrypted with a key of the app.
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
	captures := awss3.NewBucket(stack, jsii.String("Captures"), &awss3.BucketProps{EncryptionKey: key, EnforceSSL: jsii.Bool(true)})

	experiment := ie.NewInferenceExperiment(stack, jsii.String("ShadowTest"), &ie.InferenceExperimentProps{
		Endpoint:    endpoint,
		Description: jsii.String("Candidate v2 shadowing production v1"),
		ShadowMode: ie.ShadowModeConfig_Of(&ie.ShadowModeConfigProps{
			Production: production,
			Shadow: ie.ModelVariant_RealTime(&ie.RealTimeModelVariantProps{
				VariantName:  jsii.String("candidate"),
				Model:        candidateModel,
				InstanceType: ie.InstanceType_ML_M5_XLARGE(),
			}),
			SamplingPercentage: jsii.Number(50),
		}),
		Schedule: ie.Schedule_StartingAt(jsii.Time(time.Date(2027, time.January, 4, 9, 0, 0, 0, time.UTC)), awscdk.Duration_Days(jsii.Number(14))),
		DataCapture: ie.DataCapture_ToBucket(captures, &ie.BucketDataCaptureOptions{
			Prefix:           jsii.String("shadow-tests/"),
			EncryptionKey:    key,
			JsonContentTypes: jsii.Strings("application/json"),
			CsvContentTypes:  jsii.Strings("text/csv"),
		}),
		Tags: &map[string]*string{"team": jsii.String("ml-platform"), "stage": jsii.String("beta")},
	})

	// An operator who follows the test and may stop it.
	operator := awsiam.NewRole(stack, jsii.String("Operator"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	experiment.Grants().Read(operator)
	experiment.Grants().Stop(operator)

	// The verdict on the candidate, judged against production while the test runs and once it has ended.
	verdict := ie.NewShadowTestVerdict(stack, jsii.String("Verdict"), &ie.ShadowTestVerdictProps{
		Experiment: experiment,
		Criteria: &[]ie.VerdictCriterion{
			ie.VerdictCriterion_ErrorRate(&ie.ErrorRateCriterionOptions{
				MaxIncreasePercentagePoints: jsii.Number(0.5),
			}),
			ie.VerdictCriterion_Latency(&ie.LatencyCriterionOptions{
				Percentile:            jsii.Number(99),
				MaxRegressionPercent:  jsii.Number(15),
				AllowedFailingPercent: jsii.Number(5),
			}),
			ie.VerdictCriterion_Latency(&ie.LatencyCriterionOptions{
				Percentile:           jsii.Number(50),
				MaxRegressionPercent: jsii.Number(10),
				Metric:               ie.LatencyMetric_OVERHEAD_LATENCY,
			}),
			ie.VerdictCriterion_Utilization(&ie.UtilizationCriterionOptions{
				Metric:                      ie.UtilizationMetric_MEMORY,
				MaxIncreasePercentagePoints: jsii.Number(10),
				AllowedFailingPeriods:       jsii.Number(2),
			}),
		},
		MinShadowInvocations: jsii.Number(500),
		Period:               awscdk.Duration_Hours(jsii.Number(2)),
		EvaluationInterval:   awscdk.Duration_Minutes(jsii.Number(30)),
		InterimVerdicts:      jsii.Bool(true),
		StopOnFail:           jsii.Bool(true),
	})

	// The comparison of the variants, and the alarms that the decision rests on.
	ie.NewShadowTestDashboard(stack, jsii.String("Comparison"), &ie.ShadowTestDashboardProps{
		Metrics:       experiment.Metrics(),
		DashboardName: jsii.String("shadow-test"),
		Verdict:       verdict,
	})
	experiment.Metrics().CreateShadowErrorRateAlarm(stack, jsii.String("ShadowErrors"), &ie.ShadowErrorRateAlarmOptions{
		MaxErrorRatePercent: jsii.Number(1),
	})
	experiment.Metrics().CreateLatencyRegressionAlarm(stack, jsii.String("ShadowLatency"), &ie.LatencyRegressionAlarmOptions{
		MaxRegressionPercent: jsii.Number(10),
	})
	experiment.Metrics().CreateDiskUtilizationAlarm(stack, jsii.String("CaptureDisk"), &ie.DiskUtilizationAlarmOptions{
		Threshold: jsii.Number(80),
	})

	// The outcome, deployed while the test runs: the candidate replaces production, on production's instances.
	experiment.PromoteShadow(&ie.PromoteShadowOptions{
		Reason:           jsii.String("p99 latency 12% lower, same error rate"),
		InstanceSettings: ie.PromotedInstanceSettings_PRODUCTION,
	})
}

// The props of an experiment on an endpoint and models outside the app, with the given variant name and sampling
// percentage, in a stack of its own.
func experimentProps(stack awscdk.Stack, shadowVariantName string, samplingPercentage float64) *ie.InferenceExperimentProps {
	return &ie.InferenceExperimentProps{
		Endpoint: ie.ExistingEndpoint_FromEndpointName(stack, jsii.String("Endpoint"), jsii.String("fraud-detector")),
		ShadowMode: ie.ShadowModeConfig_Of(&ie.ShadowModeConfigProps{
			Production: ie.ModelVariant_RealTime(&ie.RealTimeModelVariantProps{
				VariantName:  jsii.String("production"),
				Model:        ie.ExistingModel_FromModelName(stack, jsii.String("ProductionModel"), jsii.String("fraud-v1")),
				InstanceType: ie.InstanceType_ML_M5_XLARGE(),
			}),
			Shadow: ie.ModelVariant_RealTime(&ie.RealTimeModelVariantProps{
				VariantName:  jsii.String(shadowVariantName),
				Model:        ie.ExistingModel_FromModelName(stack, jsii.String("CandidateModel"), jsii.String("fraud-v2")),
				InstanceType: ie.InstanceType_Of(jsii.String("ml.m5.xlarge")),
			}),
			SamplingPercentage: jsii.Number(samplingPercentage),
		}),
	}
}

// What build panics with, or nil.
func panicOf(build func()) (recovered interface{}) {
	defer func() { recovered = recover() }()
	build()
	return nil
}

// Whether the panic carries an error that the library threw: jsii panics with an error whose text is the
// JavaScript error's message. A panic of the Go runtime is not one.
func libraryError(recovered interface{}) (string, bool) {
	err, isError := recovered.(error)
	if !isError {
		return fmt.Sprint(recovered), false
	}
	if _, isRuntime := err.(runtime.Error); isRuntime {
		return err.Error(), false
	}
	return err.Error(), true
}

type check struct {
	name string
	run  func() error
}

// A check that build panics with the library's error, whose message matches every pattern.
func refused(build func(), patterns ...string) error {
	recovered := panicOf(build)
	if recovered == nil {
		return fmt.Errorf("no panic: the input was accepted")
	}
	message, fromLibrary := libraryError(recovered)
	if !fromLibrary {
		return fmt.Errorf("panicked with %T, not with the library's error: %s", recovered, message)
	}
	for _, pattern := range patterns {
		if !regexp.MustCompile(pattern).MatchString(message) {
			return fmt.Errorf("the library's message does not match /%s/: %s", pattern, message)
		}
	}
	return nil
}

var checks = []check{
	{"a sampling percentage of 101 panics with the library's error naming shadowMode.samplingPercentage", func() error {
		_, stack := newStack("Checks")
		return refused(func() {
			ie.NewInferenceExperiment(stack, jsii.String("Experiment"), experimentProps(stack, "candidate", 101))
		}, `shadowMode\.samplingPercentage: got 101`, `from 0 to 100`)
	}},
	{"an invalid variant name panics with the library's error naming shadowMode.shadow.variantName", func() error {
		_, stack := newStack("Checks")
		return refused(func() {
			ie.NewInferenceExperiment(stack, jsii.String("Experiment"), experimentProps(stack, "candidate_v2", 50))
		}, `shadowMode\.shadow\.variantName: got "candidate_v2"`)
	}},
	{"an iam.CfnRole as role panics with the library's error: role must be able to receive grants", func() error {
		_, stack := newStack("Checks")
		cfnRole := awsiam.NewCfnRole(stack, jsii.String("CfnRole"), &awsiam.CfnRoleProps{
			AssumeRolePolicyDocument: map[string]interface{}{
				"Version": "2012-10-17",
				"Statement": []interface{}{map[string]interface{}{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]interface{}{"Service": "sagemaker.amazonaws.com"},
				}},
			},
		})
		props := experimentProps(stack, "candidate", 50)
		props.Role = cfnRole
		return refused(func() {
			ie.NewInferenceExperiment(stack, jsii.String("Experiment"), props)
		}, `role`, `(?i)grant`)
	}},
	{"a latency percentile of 100 panics with the library's error naming percentile", func() error {
		return refused(func() {
			ie.VerdictCriterion_Latency(&ie.LatencyCriterionOptions{
				Percentile:           jsii.Number(100),
				MaxRegressionPercent: jsii.Number(10),
			})
		}, `percentile: got 100`)
	}},
}

func main() {
	defer jsii.Close()

	app, stack := newStack("ShadowTest")
	shadowTest(stack)
	app.Synth(nil)

	failed := 0
	for i, c := range checks {
		if err := c.run(); err != nil {
			failed++
			fmt.Printf("not ok %d - %s\n", i+1, c.name)
			for _, line := range strings.Split(err.Error(), "\n") {
				fmt.Printf("# %s\n", line)
			}
		} else {
			fmt.Printf("ok %d - %s\n", i+1, c.name)
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
}
