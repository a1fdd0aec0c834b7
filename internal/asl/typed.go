package asl

import (
	"context"
	"encoding/json"
)

// Typed adapts a typed Lambda handler to a Handler the way aws-lambda-go does: the payload is
// JSON-decoded into In (a decode error is returned as is, so its type name becomes the error
// name), the handler's error is returned unchanged, and Out is JSON-encoded.
func Typed[In, Out any](h func(context.Context, In) (Out, error)) Handler {
	return func(ctx context.Context, payload json.RawMessage) (json.RawMessage, error) {
		var in In
		if err := json.Unmarshal(payload, &in); err != nil {
			return nil, err
		}
		out, err := h(ctx, in)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
}
