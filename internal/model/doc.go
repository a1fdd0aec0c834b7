// Package model knows the Bedrock model families the pipeline handles and the body shapes of
// each: which family a model id belongs to, where a modelOutput carries its token usage and its
// answer, and a rough token estimate for a modelInput.
//
// Families: Anthropic Claude (Messages API), Amazon Nova, Amazon Titan Text Embeddings, Amazon
// Titan Text, Cohere Embed, Meta Llama, Mistral (text and chat completions), and Converse (any
// model, when the job's modelInvocationType is Converse). A model id may be a base id
// (anthropic.claude-3-5-haiku-20241022-v1:0), a cross-region inference profile id (us., eu.,
// apac., global., us-gov., jp., au., ca. before a base id), or a foundation-model,
// inference-profile or application-inference-profile ARN. An application inference profile
// hides its model, so its family is Auto: each body is recognised by its shape.
//
// Per-record usage (bedrock-batch-api.md §8): Claude usage.input_tokens/output_tokens; Nova and
// Converse usage.inputTokens/outputTokens; Titan Text Embeddings inputTextTokenCount; Titan
// Text inputTextTokenCount and results[].tokenCount; Llama prompt_token_count and
// generation_token_count. Cohere Embed and Mistral bodies carry no usage: PerRecordUsage says
// so, and the reconciler uses the job manifest's totals for them.
//
// This is a logic package: no AWS SDK, no I/O. AWS docs: "Inference request parameters and
// response fields for foundation models" in the Bedrock user guide, one page per provider.
package model
