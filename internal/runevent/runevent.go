package runevent

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// Source is the source of every event the pipeline publishes.
const Source = "bedrock-batch"

// API is the part of the EventBridge client used.
type API interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ API = (*eventbridge.Client)(nil)

// Publisher puts events on one bus.
type Publisher struct {
	API     API
	BusName string
}

// Publish puts one event with source Source. A rejected entry is an error.
func (p *Publisher) Publish(ctx context.Context, detailType string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode %s detail: %w", detailType, err)
	}
	out, err := p.API.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(p.BusName), Source: aws.String(Source), DetailType: aws.String(detailType), Detail: aws.String(string(b)),
	}}})
	if err != nil {
		return fmt.Errorf("put %s event: %w", detailType, err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		return fmt.Errorf("put %s event: %s: %s", detailType, aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return nil
}

// Func adapts a function to the Publisher's method, for the in-process bus.
type Func func(ctx context.Context, detailType string, detail any) error

// Publish calls f.
func (f Func) Publish(ctx context.Context, detailType string, detail any) error {
	return f(ctx, detailType, detail)
}
