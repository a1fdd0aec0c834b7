package stackout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Output keys of the deployed stack. The CDK app names its CfnOutputs with these constants.
const (
	// BucketName is the pipeline bucket's name.
	BucketName = "BucketName"
	// StateMachineArn is the pipeline state machine's ARN.
	StateMachineArn = "StateMachineArn"
	// EventBusName is the bus the pipeline publishes "Batch Run Completed" on.
	EventBusName = "EventBusName"
	// Region is the region the stack is deployed in.
	Region = "Region"
)

// Keys are every output key Outputs holds, in the order errors and files list them.
var Keys = []string{BucketName, StateMachineArn, EventBusName, Region}

// Outputs are the deployed stack's outputs the CLI reads.
type Outputs struct {
	// Stack is the stack's name.
	Stack string
	// Bucket, StateMachineARN, EventBusName and Region are the values of the output keys of the
	// same names.
	Bucket, StateMachineARN, EventBusName, Region string
}

// values returns the outputs by key.
func (o Outputs) values() map[string]string {
	return map[string]string{BucketName: o.Bucket, StateMachineArn: o.StateMachineARN, EventBusName: o.EventBusName, Region: o.Region}
}

// fromMap fills Outputs from a key → value map. Every key in Keys must be present and not
// empty; the error names the source and every missing key.
func fromMap(source, stack string, m map[string]string) (Outputs, error) {
	var missing []string
	for _, k := range Keys {
		if strings.TrimSpace(m[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Outputs{}, fmt.Errorf("%s: stack %s has no output %s (is it a bedrock-batch stack, deployed from this version?)", source, stack, strings.Join(missing, ", "))
	}
	return Outputs{Stack: stack, Bucket: m[BucketName], StateMachineARN: m[StateMachineArn], EventBusName: m[EventBusName], Region: m[Region]}, nil
}

// DescribeStacksAPI is the one CloudFormation call FromStack makes; *cloudformation.Client
// implements it.
type DescribeStacksAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

var _ DescribeStacksAPI = (*cloudformation.Client)(nil)

// FromStack reads the outputs of the stack named stack with DescribeStacks. A stack that does not
// exist, a stack that is not in exactly one answer, or a missing output is an error naming the
// stack.
func FromStack(ctx context.Context, api DescribeStacksAPI, stack string) (Outputs, error) {
	if stack == "" {
		return Outputs{}, errors.New("describe stack: no stack name")
	}
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return Outputs{}, fmt.Errorf("describe stack %s: %w", stack, err)
	}
	if len(out.Stacks) != 1 {
		return Outputs{}, fmt.Errorf("describe stack %s: %d stacks in the answer, want 1", stack, len(out.Stacks))
	}
	m := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return fromMap("describe stack "+stack, stack, m)
}

// ReadFile reads the outputs of one stack from a `cdk deploy --outputs-file` file at path. stack
// names the stack; empty is allowed when the file holds exactly one.
func ReadFile(path, stack string) (Outputs, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Outputs{}, fmt.Errorf("read stack outputs: %w", err)
	}
	return Parse(data, path, stack)
}

// Parse reads the outputs of one stack from the contents of a `cdk deploy --outputs-file` file;
// source names the file in errors. stack names the stack; empty is allowed when the file holds
// exactly one. Values must be strings.
func Parse(data []byte, source, stack string) (Outputs, error) {
	var stacks map[string]map[string]string
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&stacks); err != nil {
		return Outputs{}, fmt.Errorf("%s: not a cdk outputs file ({\"<StackName>\": {\"<OutputKey>\": \"<value>\"}}): %w", source, err)
	}
	if dec.More() {
		return Outputs{}, fmt.Errorf("%s: not a cdk outputs file: data after the JSON object", source)
	}
	names := make([]string, 0, len(stacks))
	for name := range stacks {
		names = append(names, name)
	}
	sort.Strings(names)
	if stack == "" {
		if len(names) != 1 {
			return Outputs{}, fmt.Errorf("%s: %d stacks (%s); name one with --stack", source, len(names), strings.Join(names, ", "))
		}
		stack = names[0]
	}
	if stack == "" {
		return Outputs{}, fmt.Errorf("%s: a stack with an empty name", source)
	}
	m, ok := stacks[stack]
	if !ok {
		return Outputs{}, fmt.Errorf("%s: no stack %s (have %s)", source, stack, strings.Join(names, ", "))
	}
	return fromMap(source, stack, m)
}

// Marshal encodes o in the `cdk deploy --outputs-file` format under o.Stack, indented as the CDK
// CLI writes it.
func Marshal(o Outputs) ([]byte, error) {
	if o.Stack == "" {
		return nil, errors.New("encode stack outputs: no stack name")
	}
	b, err := json.MarshalIndent(map[string]map[string]string{o.Stack: o.values()}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode stack outputs of %s: %w", o.Stack, err)
	}
	return append(b, '\n'), nil
}

// WriteFile writes o to path in the `cdk deploy --outputs-file` format, replacing the file.
func WriteFile(path string, o Outputs) error {
	b, err := Marshal(o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write stack outputs: %w", err)
	}
	return nil
}
