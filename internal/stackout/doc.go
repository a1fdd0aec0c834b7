// Package stackout owns the names of the deployed stack's outputs that the bbatch CLI reads
// (BucketName, StateMachineArn, EventBusName, Region) and reads them from either source a user
// has: CloudFormation's DescribeStacks for a named stack, or the JSON file that
// `cdk deploy --outputs-file` writes ({"<StackName>": {"<OutputKey>": "<value>", ...}}). It also
// writes that file format, for `bbatch emulate --pipeline`.
//
// It must not create AWS clients or load AWS configuration: callers pass the one-method
// DescribeStacksAPI. It knows nothing of what the outputs are used for.
//
// AWS documentation it implements against:
//   - CloudFormation DescribeStacks:
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
//     (Stacks[].Outputs[] of OutputKey / OutputValue)
//   - CDK CLI `cdk deploy --outputs-file`:
//     https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html
package stackout
