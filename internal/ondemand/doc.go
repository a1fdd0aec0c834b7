// Package ondemand answers the records too few for a batch job — the tail of a run — with the
// Bedrock runtime: InvokeModel with the record's modelInput as the body, or Converse for
// Converse-type profiles. Calls run with bounded concurrency; throttling, model timeouts and
// server errors are retried with exponential backoff and jitter up to a bound; what still fails
// comes back with its last error, for the caller to report as a permanent failure.
//
// Converse bodies are translated to the SDK's typed request: text content, a text system prompt,
// inferenceConfig and additionalModelRequestFields. A body with other content (images, documents,
// tools) is answered with a permanent ValidationException-style error naming what is unsupported,
// never dropped. Reference: bedrock-batch-api.md §1.6 and §8.
package ondemand
