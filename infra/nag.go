package main

import (
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrock-batch/bedrock-batch/internal/layout"
)

// Reasons for the AwsSolutions findings the stack accepts. Each is a deliberate choice; every
// other finding fails the synth.
const (
	reasonObjects = "Objects under this prefix are created per run with keys known only at run time " +
		"(layout: runs/<runId>/..., results/<runId>/..., inbox/<profile>/...); the resource names the bucket " +
		"and the prefix, and the actions are listed one by one."
	reasonJobs = "Bedrock assigns model invocation job ids when the job is created, so a job cannot be named " +
		"before it exists; the resource is this account's and Region's model-invocation-job/* only " +
		"(https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-permissions.html)."
	reasonModelRegions = "A cross-Region inference profile routes each request to its foundation model in a " +
		"Region Bedrock picks, and AWS documents InvokeModel on foundation-model/<id> in every destination " +
		"Region (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-iam-sr.html); the model id is exact, " +
		"only the Region is open, and foundation-model ARNs carry no account."
	reasonExecutions = "A Distributed Map runs its iterations as child executions of this state machine, named " +
		"by Step Functions at run time; the resource is this state machine's executions only " +
		"(https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html)."
	reasonDelivery = "CDK grants the state machine CloudWatch Logs vended-log delivery (logs:CreateLogDelivery and " +
		"related) and X-Ray (xray:PutTraceSegments and related) for its logging and tracing; these actions do " +
		"not support resource-level permissions, so their resource must be *."
	reasonListJobs = "The reconciler looks a job up by its name when the ledger never got the job's ARN (the " +
		"submitter stopped between creating it and writing it down), so that its records are not answered a " +
		"second time; ListModelInvocationJobs does not support resource-level permissions, so its resource " +
		"must be * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html)."
	reasonAccessLogs = "Server access logs would need a second bucket that receives every request; every input, " +
		"intermediate and result of a run is already an object in this bucket, and S3 data events in CloudTrail " +
		"(configured account-wide) are the audit trail of who read or wrote them."
)

// addSuppressions records, on each construct, the findings accepted for it and why.
func addSuppressions(p *Pipeline, cfg Config) {
	objects := func(prefixes ...string) *cdknag.NagPackSuppression {
		var applies []any
		for _, pre := range prefixes {
			applies = append(applies, &cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<Bucket[0-9A-F]{8}\.Arn>\/` + regexp.QuoteMeta(pre) + `\*$/`)})
		}
		return iam5(reasonObjects, applies...)
	}
	jobs := iam5(reasonJobs, "Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:model-invocation-job/*")
	var anyRegion []any
	for _, m := range cfg.Models {
		if m.InferenceProfile {
			anyRegion = append(anyRegion, "Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/"+m.FoundationModelID)
		}
	}
	models := func(s []*cdknag.NagPackSuppression) []*cdknag.NagPackSuppression {
		if len(anyRegion) > 0 {
			s = append(s, iam5(reasonModelRegions, anyRegion...))
		}
		return s
	}
	inputs := append(inputPrefixes(cfg), layout.RunsPrefix)

	suppress(p.BedrockRole, models([]*cdknag.NagPackSuppression{objects(layout.RunsPrefix)}))
	suppress(p.Roles["intake"], []*cdknag.NagPackSuppression{objects(inputs...)})
	suppress(p.Roles["chunker"], []*cdknag.NagPackSuppression{objects(inputs...)})
	suppress(p.Roles["submitter"], models([]*cdknag.NagPackSuppression{objects(layout.RunsPrefix), jobs}))
	suppress(p.Roles["jobevents"], []*cdknag.NagPackSuppression{objects(layout.RunsPrefix), jobs})
	suppress(p.Roles["reconciler"], models([]*cdknag.NagPackSuppression{objects(layout.RunsPrefix, layout.ResultsPrefix), jobs, iam5(reasonListJobs, "Resource::*")}))
	suppress(p.StateMachine.Role(), []*cdknag.NagPackSuppression{objects(layout.RunsPrefix), iam5(reasonDelivery, "Resource::*")})
	suppress(p.Stack.Node().FindChild(jsii.String("PipelineChildExecutions")),
		[]*cdknag.NagPackSuppression{iam5(reasonExecutions, &cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<Pipeline[0-9A-F]{8}\.Name>[:\/]\*$/`)})})
	suppress(p.Bucket, []*cdknag.NagPackSuppression{{Id: jsii.String("AwsSolutions-S1"), Reason: jsii.String(reasonAccessLogs)}})
}

func iam5(reason string, appliesTo ...any) *cdknag.NagPackSuppression {
	return &cdknag.NagPackSuppression{Id: jsii.String("AwsSolutions-IAM5"), Reason: jsii.String(reason), AppliesTo: &appliesTo}
}

func suppress(c constructs.IConstruct, s []*cdknag.NagPackSuppression) {
	cdknag.NagSuppressions_AddResourceSuppressions(c, &s, jsii.Bool(true))
}
