package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
	"github.com/bedrock-batch/bedrock-batch/statemachine"
)

// DefaultEventBus is the bus the reconciler publishes "Batch Run Completed" to: the account's
// default bus, where Bedrock's own job events also arrive, so one rule language serves both.
const DefaultEventBus = "default"

// StackProps configures a pipeline stack.
type StackProps struct {
	awscdk.StackProps
	Config Config
	Assets map[string]string // the built bootstrap folder of each function, by Function.Name
}

// Pipeline is a synthesized pipeline stack and the constructs its tests and suppressions refer to.
type Pipeline struct {
	Stack        awscdk.Stack
	Bucket       awss3.Bucket
	Functions    map[string]awslambda.Function // by Function.Name
	Roles        map[string]awsiam.Role        // execution role of each function, by Function.Name
	StateMachine awsstepfunctions.StateMachine
	BedrockRole  awsiam.Role
}

// NewPipelineStack defines the whole pipeline in one stack. It panics (as CDK constructs do) when
// props.Assets lacks a function; configuration errors are caught earlier by ConfigFromContext.
func NewPipelineStack(scope constructs.Construct, id string, props *StackProps) *Pipeline {
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	cfg := props.Config
	p := &Pipeline{Stack: stack, Functions: map[string]awslambda.Function{}, Roles: map[string]awsiam.Role{}}

	var key awskms.IKey
	if cfg.KMSKeyARN != "" {
		key = awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(cfg.KMSKeyARN))
	}
	p.Bucket = newBucket(stack, cfg, key)
	a := arns{bucket: p.Bucket, key: key}

	p.BedrockRole = newBedrockRole(stack, cfg, a)
	a.role = p.BedrockRole

	for _, fn := range Functions {
		dir, ok := props.Assets[fn.Name]
		if !ok {
			panic(fmt.Sprintf("infra: no built asset for function %s", fn.Name))
		}
		role := awsiam.NewRole(stack, jsii.String(fn.ID+"Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("bedrock-batch " + fn.Name + " function"),
		})
		logs := awslogs.NewLogGroup(stack, jsii.String(fn.ID+"Logs"), &awslogs.LogGroupProps{
			Retention:     cfg.LogRetention(),
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		role.AddToPolicy(allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, *logs.LogGroupArn()))
		p.Roles[fn.Name] = role
		p.Functions[fn.Name] = awslambda.NewFunction(stack, jsii.String(fn.ID), &awslambda.FunctionProps{
			Description:   jsii.String("bedrock-batch " + fn.Name),
			Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
			Architecture:  awslambda.Architecture_ARM_64(),
			Handler:       jsii.String("bootstrap"),
			Code:          awslambda.Code_FromAsset(jsii.String(dir), nil),
			MemorySize:    jsii.Number(float64(fn.MemoryMB)),
			Timeout:       awscdk.Duration_Seconds(jsii.Number(fn.Timeout.Seconds())),
			Role:          role,
			LogGroup:      logs,
			LoggingFormat: awslambda.LoggingFormat_JSON,
		})
	}

	p.StateMachine = newStateMachine(stack, cfg, p.Functions, a)
	a.stateMachine = p.StateMachine

	env := map[string]string{
		settings.EnvBucket:          *p.Bucket.BucketName(),
		settings.EnvStateMachineARN: *p.StateMachine.StateMachineArn(),
		settings.EnvProfiles:        cfg.ProfilesJSON(),
		settings.EnvBedrockRoleARN:  *p.BedrockRole.RoleArn(),
		settings.EnvEventBusName:    DefaultEventBus,
		settings.EnvKMSKeyID:        cfg.KMSKeyARN,
	}
	for _, fn := range Functions {
		for _, name := range fn.Env {
			if env[name] != "" {
				p.Functions[fn.Name].AddEnvironment(jsii.String(name), jsii.String(env[name]), nil)
			}
		}
		grantFunction(stack, fn, p.Roles[fn.Name], cfg, a)
	}

	addRules(stack, cfg, p)
	addAlarms(stack, cfg, p)

	output := func(key, value, description string) {
		awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(description)})
	}
	output(stackout.BucketName, *p.Bucket.BucketName(), "Drop datasets under inbox/<profile>/; results appear under results/<runId>/.")
	output(stackout.StateMachineArn, *p.StateMachine.StateMachineArn(), "The pipeline; each execution is named by its runId.")
	output(stackout.EventBusName, DefaultEventBus, "Bus that receives the Batch Run Completed event of every run.")
	output(stackout.Region, *awscdk.Aws_REGION(), "Region of the pipeline.")
	output(OutputBedrockRoleArn, *p.BedrockRole.RoleArn(), "Service role the Bedrock batch jobs run as.")

	addSuppressions(p, cfg)
	return p
}

// newBucket is the pipeline's only store: private, TLS only, encrypted, S3 events to EventBridge,
// runs/ expiring while results/ stays.
func newBucket(stack awscdk.Stack, cfg Config, key awskms.IKey) awss3.Bucket {
	props := &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{
			{Id: jsii.String("ExpireRuns"), Prefix: jsii.String(layout.RunsPrefix), Expiration: awscdk.Duration_Days(jsii.Number(float64(cfg.RunsExpirationDays)))},
			{Id: jsii.String("AbortIncompleteUploads"), AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7))},
		},
	}
	if key != nil {
		props.Encryption = awss3.BucketEncryption_KMS
		props.EncryptionKey = key
		props.BucketKeyEnabled = jsii.Bool(true)
	}
	bucket := awss3.NewBucket(stack, jsii.String("Bucket"), props)
	// The native EventBridge switch on the bucket; the L2 EventBridgeEnabled prop would add a
	// custom resource and its Lambda for the same effect.
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
	return bucket
}

// newBedrockRole is the service role batch jobs run as (reference §7): assumable only by Bedrock
// for this account's model invocation jobs, reading and writing only runs/.
func newBedrockRole(stack awscdk.Stack, cfg Config, a arns) awsiam.Role {
	role := awsiam.NewRole(stack, jsii.String("BedrockServiceRole"), &awsiam.RoleProps{
		Description: jsii.String("bedrock-batch: Amazon Bedrock batch inference jobs read their input and write their output under runs/"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
				"ArnLike":      map[string]any{"aws:SourceArn": a.jobs()},
			},
		}),
	})
	sameAccount := map[string]any{"StringEquals": map[string]any{"aws:ResourceAccount": awscdk.Aws_ACCOUNT_ID()}}
	role.AddToPolicy(allowIf([]string{"s3:GetObject", "s3:PutObject"}, sameAccount, a.objects(layout.RunsPrefix)...))
	role.AddToPolicy(allowIf([]string{"s3:ListBucket"}, sameAccount, *a.bucket.BucketArn()))
	if a.key != nil {
		role.AddToPolicy(allowIf([]string{"kms:Decrypt", "kms:GenerateDataKey"},
			map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + *awscdk.Aws_REGION() + ".amazonaws.com"}},
			*a.key.KeyArn()))
	}
	var profiles []Model
	for _, m := range cfg.Models {
		if m.InferenceProfile {
			profiles = append(profiles, m)
		}
	}
	if len(profiles) > 0 {
		role.AddToPolicy(allow([]string{"bedrock:InvokeModel"}, a.models(profiles)...))
	}
	return role
}

// newStateMachine inlines statemachine/pipeline.asl.json with the function ARNs substituted.
func newStateMachine(stack awscdk.Stack, cfg Config, fns map[string]awslambda.Function, a arns) awsstepfunctions.StateMachine {
	logs := awslogs.NewLogGroup(stack, jsii.String("PipelineLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.LogRetention(),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(stack, jsii.String("Pipeline"), &awsstepfunctions.StateMachineProps{
		StateMachineType: awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:   awsstepfunctions.DefinitionBody_FromString(jsii.String(string(statemachine.Definition))),
		DefinitionSubstitutions: &map[string]*string{
			statemachine.ChunkerFunctionArn:    fns["chunker"].FunctionArn(),
			statemachine.SubmitterFunctionArn:  fns["submitter"].FunctionArn(),
			statemachine.ReconcilerFunctionArn: fns["reconciler"].FunctionArn(),
		},
		Logs:           &awsstepfunctions.LogOptions{Destination: logs, Level: awsstepfunctions.LogLevel_ALL, IncludeExecutionData: jsii.Bool(true)},
		TracingEnabled: jsii.Bool(true),
	})
	sm.AddToRolePolicy(allow([]string{"lambda:InvokeFunction"},
		*fns["chunker"].FunctionArn(), *fns["submitter"].FunctionArn(), *fns["reconciler"].FunctionArn()))
	// The Distributed Map's ItemReader reads each round's chunk list.
	sm.AddToRolePolicy(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
	if a.key != nil {
		sm.AddToRolePolicy(allow([]string{"kms:Decrypt"}, *a.key.KeyArn()))
	}
	// A Distributed Map runs its iterations as child executions of this state machine. The
	// statements name the state machine itself, so they live in a policy the state machine does
	// not depend on (its default policy would make a dependency cycle).
	awsiam.NewPolicy(stack, jsii.String("PipelineChildExecutions"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{sm.Role()},
		Statements: &[]awsiam.PolicyStatement{
			allow([]string{"states:StartExecution"}, *sm.StateMachineArn()),
			allow([]string{"states:DescribeExecution", "states:StopExecution"}, a.executions(sm)...),
		},
	})
	return sm
}

// grantFunction gives fn exactly what its code calls. Statements naming the state machine go in
// a separate policy: the state machine's definition names the functions, and a function depends
// on its role's default policy, so putting them there would make a cycle.
func grantFunction(stack awscdk.Stack, fn Function, role awsiam.Role, cfg Config, a arns) {
	add := func(s awsiam.PolicyStatement) { role.AddToPolicy(s) }
	var sfn []awsiam.PolicyStatement
	// Every function reads objects that may be missing; S3 answers 404 rather than 403 only to
	// callers that may list the bucket.
	add(allow([]string{"s3:ListBucket"}, *a.bucket.BucketArn()))
	readKey, writeKey := []string{"kms:Decrypt"}, []string{"kms:Decrypt", "kms:GenerateDataKey"}
	put := []string{"s3:PutObject", "s3:AbortMultipartUpload"}
	var keyActions []string
	switch fn.Name {
	case "intake":
		add(allow([]string{"s3:GetObject"}, a.objects(inputPrefixes(cfg)...)...))
		add(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
		add(allow(put, a.objects(layout.RunsPrefix)...))
		sfn = append(sfn, allow([]string{"states:StartExecution"}, *a.stateMachine.StateMachineArn()))
		keyActions = writeKey
	case "chunker":
		add(allow([]string{"s3:GetObject"}, a.objects(inputPrefixes(cfg)...)...))
		add(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
		add(allow(put, a.objects(layout.RunsPrefix)...))
		keyActions = writeKey
	case "submitter":
		add(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
		add(allow(put, a.objects(layout.RunsPrefix)...))
		add(allow([]string{"bedrock:CreateModelInvocationJob"}, append(a.models(cfg.Models), a.jobs())...))
		add(allow([]string{"bedrock:GetModelInvocationJob", "bedrock:TagResource"}, a.jobs()))
		add(allowIf([]string{"iam:PassRole"},
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}},
			*a.role.RoleArn()))
		sfn = append(sfn, allow([]string{"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}, *a.stateMachine.StateMachineArn()))
		keyActions = writeKey
	case "jobevents":
		add(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
		add(allow([]string{"bedrock:GetModelInvocationJob"}, a.jobs()))
		sfn = append(sfn, allow([]string{"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}, *a.stateMachine.StateMachineArn()))
		keyActions = readKey
	case "reconciler":
		add(allow([]string{"s3:GetObject"}, a.objects(layout.RunsPrefix)...))
		add(allow(put, a.objects(layout.RunsPrefix, layout.ResultsPrefix)...))
		add(allow([]string{"bedrock:GetModelInvocationJob", "bedrock:StopModelInvocationJob"}, a.jobs()))
		add(allow([]string{"bedrock:ListModelInvocationJobs"}, "*"))
		add(allow([]string{"bedrock:InvokeModel"}, a.models(cfg.Models)...))
		add(allow([]string{"events:PutEvents"}, a.bus(DefaultEventBus)))
		keyActions = writeKey
	default:
		panic("infra: no grants defined for function " + fn.Name)
	}
	if a.key != nil {
		add(allow(keyActions, *a.key.KeyArn()))
	}
	if len(sfn) > 0 {
		awsiam.NewPolicy(stack, jsii.String(fn.ID+"StateMachineAccess"), &awsiam.PolicyProps{
			Roles:      &[]awsiam.IRole{role},
			Statements: &sfn,
		})
	}
}

// inputPrefixes are the prefixes datasets are read from: the inbox, and any scheduled profile's
// prefix outside it.
func inputPrefixes(cfg Config) []string {
	out := []string{layout.InboxPrefix}
	for _, name := range cfg.Profiles.Names() {
		pre := cfg.Profiles[name].Prefix
		if !strings.HasPrefix(pre, layout.InboxPrefix) && !containsPrefixOf(out, pre) {
			out = append(out, pre)
		}
	}
	return out
}

func containsPrefixOf(prefixes []string, s string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// addRules routes S3 inbox events and schedules to intake and Bedrock job events to jobevents,
// with the patterns internal/eventrule defines for the local bus too.
func addRules(stack awscdk.Stack, cfg Config, p *Pipeline) {
	retry := func(fn awslambda.Function, input awsevents.RuleTargetInput) awsevents.IRuleTarget {
		return awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(8),
			MaxEventAge:   awscdk.Duration_Hours(jsii.Number(6)),
			Event:         input,
		})
	}
	awsevents.NewRule(stack, jsii.String("InboxObjectCreated"), &awsevents.RuleProps{
		Description:  jsii.String("bedrock-batch: a dataset dropped under inbox/<profile>/ starts a run"),
		EventPattern: eventPattern(eventrule.InboxObjectCreated(*p.Bucket.BucketName())),
		Targets:      &[]awsevents.IRuleTarget{retry(p.Functions[eventrule.TargetIntake], nil)},
	})
	awsevents.NewRule(stack, jsii.String("BatchJobStateChange"), &awsevents.RuleProps{
		Description:  jsii.String("bedrock-batch: Bedrock batch job state changes wake the waiting submit task"),
		EventPattern: eventPattern(eventrule.BatchJobStateChange()),
		Targets:      &[]awsevents.IRuleTarget{retry(p.Functions[eventrule.TargetJobEvents], nil)},
	})
	for _, name := range cfg.Profiles.Names() {
		prof := cfg.Profiles[name]
		if prof.Schedule == "" {
			continue
		}
		awsevents.NewRule(stack, jsii.String("Schedule"+pascal(name)), &awsevents.RuleProps{
			Description: jsii.String("bedrock-batch: scheduled run of profile " + name + " over " + prof.Prefix),
			Schedule:    awsevents.Schedule_Expression(jsii.String(prof.Schedule)),
			Targets:     &[]awsevents.IRuleTarget{retry(p.Functions[eventrule.TargetIntake], ScheduledInput(name))},
		})
	}
}

// ScheduledInput is what a profile's schedule rule delivers to intake: the scheduled event, with
// the source and detail-type eventrule.Scheduled matches and a detail naming the profile.
func ScheduledInput(profileName string) awsevents.RuleTargetInput {
	return awsevents.RuleTargetInput_FromObject(map[string]any{
		"version":     "0",
		"id":          awsevents.EventField_FromPath(jsii.String("$.id")),
		"source":      eventrule.SourceSchedule,
		"detail-type": eventrule.DetailTypeScheduledEvent,
		"account":     awsevents.EventField_FromPath(jsii.String("$.account")),
		"time":        awsevents.EventField_FromPath(jsii.String("$.time")),
		"region":      awsevents.EventField_FromPath(jsii.String("$.region")),
		"detail":      map[string]any{"profile": profileName},
	})
}

// eventPattern converts a Go pattern to the CDK's. Detail goes through JSON so that nested
// slices reach jsii as plain JSON arrays.
func eventPattern(p eventrule.Pattern) *awsevents.EventPattern {
	out := &awsevents.EventPattern{Source: jsii.Strings(p.Source...), DetailType: jsii.Strings(p.DetailType...)}
	if len(p.Detail) > 0 {
		var detail map[string]any
		b, err := json.Marshal(p.Detail)
		if err == nil {
			err = json.Unmarshal(b, &detail)
		}
		if err != nil {
			panic("infra: event pattern detail: " + err.Error())
		}
		out.Detail = &detail
	}
	return out
}

// addAlarms alarms on any failed, timed-out or aborted execution and on any function error, and
// notifies an email address through SNS when one is configured.
func addAlarms(stack awscdk.Stack, cfg Config, p *Pipeline) {
	var topic awssns.Topic
	if cfg.AlarmEmail != "" {
		topic = awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
			DisplayName: jsii.String("bedrock-batch alarms"),
			EnforceSSL:  jsii.Bool(true),
		})
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(cfg.AlarmEmail), nil))
	}
	alarm := func(id, description string, metric awscloudwatch.Metric) {
		al := awscloudwatch.NewAlarm(stack, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(description),
			Metric:             metric,
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		if topic != nil {
			al.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
		}
	}
	period := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
	alarm("PipelineFailedAlarm", "A bedrock-batch run failed; its report under results/<runId>/ says why.", p.StateMachine.MetricFailed(period))
	alarm("PipelineTimedOutAlarm", "A bedrock-batch run timed out.", p.StateMachine.MetricTimedOut(period))
	alarm("PipelineAbortedAlarm", "A bedrock-batch run was aborted.", p.StateMachine.MetricAborted(period))
	for _, fn := range Functions {
		alarm(fn.ID+"ErrorsAlarm", "The bedrock-batch "+fn.Name+" function returned errors; see its log group.", p.Functions[fn.Name].MetricErrors(period))
	}
}

// pascal turns a profile name (lowercase, digits, '-') into a PascalCase construct id part.
func pascal(name string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(name, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
