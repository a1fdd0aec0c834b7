package main

// Stack output keys. A CLI finds the deployed pipeline by these keys, in CloudFormation
// DescribeStacks or in the file `npx cdk deploy --outputs-file` writes; the keys it reads are
// internal/stackout's constants, which the stack uses too.
const (
	// OutputBedrockRoleArn is the service role Bedrock batch jobs run as, for operators.
	OutputBedrockRoleArn = "BedrockServiceRoleArn"
)
