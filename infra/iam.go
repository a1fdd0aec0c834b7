package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
)

// arns builds the resource ARNs the stack's statements name. Every ARN is exact or ends in a
// wildcard over ids the pipeline creates at run time (objects under a prefix, job ids, child
// executions, a foundation model's Regions); actions are always spelled out.
type arns struct {
	bucket       awss3.Bucket
	key          awskms.IKey // nil without a customer key
	role         awsiam.Role // the Bedrock service role
	stateMachine awsstepfunctions.StateMachine
}

// objects is every object under each prefix.
func (a arns) objects(prefixes ...string) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = *a.bucket.BucketArn() + "/" + p + "*"
	}
	return out
}

// jobs is every model invocation job of this account in this Region: job ids are Bedrock's.
func (a arns) jobs() string {
	return "arn:" + *awscdk.Aws_PARTITION() + ":bedrock:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() + ":model-invocation-job/*"
}

// models is what calling the models needs: a foundation model in this Region; or, for an
// inference profile, the profile and its foundation model in every Region, since the profile
// routes to Regions of its own choosing (reference §7) and foundation-model ARNs have no account.
func (a arns) models(models []Model) []string {
	var out []string
	partition, region, account := *awscdk.Aws_PARTITION(), *awscdk.Aws_REGION(), *awscdk.Aws_ACCOUNT_ID()
	for _, m := range models {
		if m.InferenceProfile {
			out = append(out,
				"arn:"+partition+":bedrock:"+region+":"+account+":inference-profile/"+m.ID,
				"arn:"+partition+":bedrock:*::foundation-model/"+m.FoundationModelID)
			continue
		}
		out = append(out, "arn:"+partition+":bedrock:"+region+"::foundation-model/"+m.FoundationModelID)
	}
	return out
}

// executions is every execution of sm: "<name>:*" is how the CDK scopes a state machine's
// executions, "<name>/*" the form of a Distributed Map's child executions
// ("<name>/<map run label>:<id>"); both name this state machine only.
func (a arns) executions(sm awsstepfunctions.StateMachine) []string {
	base := "arn:" + *awscdk.Aws_PARTITION() + ":states:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() + ":execution:" + *sm.StateMachineName()
	return []string{base + ":*", base + "/*"}
}

// bus is the ARN of an event bus of this account by name.
func (a arns) bus(name string) string {
	return "arn:" + *awscdk.Aws_PARTITION() + ":events:" + *awscdk.Aws_REGION() + ":" + *awscdk.Aws_ACCOUNT_ID() + ":event-bus/" + name
}

// allow is an Allow statement of exactly these actions on these resources.
func allow(actions []string, resources ...string) awsiam.PolicyStatement {
	return allowIf(actions, nil, resources...)
}

// allowIf is allow with IAM conditions.
func allowIf(actions []string, conditions map[string]any, resources ...string) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	}
	if conditions != nil {
		props.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(props)
}
