// Command gen writes the example datasets in examples/: 240 support tickets as Anthropic Claude
// and Amazon Nova batch input (tickets-claude.jsonl, tickets-nova.jsonl), the label each ticket
// was written for (tickets-labels.csv), and 300 help-center snippets as Amazon Titan Text
// Embeddings V2 input (embeddings-titan.jsonl).
//
// Run it from the repository root: go run ./examples/gen. Its output is a pure function of the
// fixed seeds and the templates here, so a second run writes the same bytes; the committed files
// are that output, and a test checks they still are. It must not read anything but its templates
// and must not touch files outside the folder it is given.
//
// Each line is the Bedrock batch input format {"recordId", "modelInput"}, where modelInput is the
// model's native InvokeModel body: docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html,
// model-parameters-anthropic-claude-messages.html, model-parameters-titan-embed-text.html and
// docs.aws.amazon.com/nova/latest/userguide/complete-request-schema.html.
package main
