// Package fakemodel is the set of deterministic fake Bedrock models the local emulators serve:
// one per model family, each answering its family's native InvokeModel body with a correctly
// shaped response, and any text model answering a Converse request with a Converse response.
// The batch emulator (internal/bedrockemu) calls it per record; the runtime emulator
// (internal/runtimeemu) per request.
//
// Families and the bodies they take (AWS "Inference request parameters and response fields for
// foundation models", docs.aws.amazon.com/bedrock/latest/userguide/model-parameters.html):
//   - Anthropic Claude, Messages API: anthropic_version "bedrock-2023-05-31", max_tokens,
//     messages required; unknown top-level keys rejected; max_tokens above the model's documented
//     output ceiling (4096 for Claude 3, 8192 for 3.5, 32000–64000 for 3.7 and 4.x) rejected.
//     Usage in usage.input_tokens/output_tokens.
//   - Amazon Nova, messages-v1: messages required; inferenceConfig.max_new_tokens or maxTokens
//     (default 5000). Usage in usage.inputTokens/outputTokens/totalTokens.
//   - Converse (invocationType "Converse", any text model): messages required, first message from
//     the user; inferenceConfig.maxTokens (default 4096; above a Claude model's ceiling refused).
//     Usage as Nova, plus metrics.latencyMs = 20 + 2 × (input + output tokens). Embedding models
//     refuse Converse with 400.
//   - Amazon Titan Text Embeddings V2: inputText required; dimensions 256, 512 or 1024 (default);
//     normalize (default true); embeddingTypes float and/or binary. inputTextTokenCount.
//   - Amazon Titan Text (Express, Lite, Premier): inputText required; textGenerationConfig
//     {maxTokenCount 1–8192 (default 512), temperature, topP, stopSequences}; unknown keys
//     rejected. inputTextTokenCount and results[{tokenCount, outputText, completionReason}].
//   - Cohere Embed v3: texts (1–96, each ≤ 2048 characters) or one image; input_type required.
//     1024 dimensions. No usage, as documented.
//   - Meta Llama: prompt required; max_gen_len 1–2048 (default 512); unknown keys rejected.
//     prompt_token_count and generation_token_count.
//   - Mistral: prompt → outputs[{text, stop_reason}] for every Mistral model; messages →
//     choices[{index, message{role, content}, stop_reason}] for Mistral Large (2402 and 2407),
//     the models AWS documents the chat-completion body for. max_tokens default 512. No usage.
//
// Stated rules (the same for every family):
//   - Tokens: a text of n runes is ceil(n/4) tokens. Input tokens apply this to the sum of the
//     runes of every prompt text piece (system, message text blocks, prompt, inputText); image,
//     document and tool blocks count nothing. Output tokens apply it to the reply text.
//   - Reply text: "<label>. Echo: <the last user text, white space collapsed, first 160 runes>",
//     where label is one of eight words chosen by the FNV-64a hash of all prompt text. It is cut at
//     the earliest stop sequence it contains (stop reason stop_sequence), then to maxTokens×4
//     runes when it exceeds maxTokens tokens (stop reason max_tokens / length).
//   - Embeddings: components uniform in [-1, 1) from a splitmix64 PRNG seeded with the FNV-64a
//     hash of the text, scaled to unit L2 length when normalized; equal texts give equal vectors.
//   - Response ids are derived from the request body, so equal requests give equal bytes.
//   - InvokeUsage reports the same counts for every family, including Cohere and Mistral whose
//     bodies carry none (for the runtime's token-count headers and batch manifest totals).
//
// Schema breaks return *Error{Status: 400, Type: "ValidationException"} with Bedrock's wording,
// e.g. "Malformed input request: #: required key [max_tokens] not found, please reformat your
// input and try again."; the first violation found is reported.
//
// Model ids (Known): the catalogue's base ids; cross-region profile ids (us., eu., apac., global.,
// us-gov., jp., au., ca. before a base id); foundation-model ARNs and inference-profile ARNs
// around those. An application-inference-profile ARN hides its model, so any well-formed one is
// accepted and the family is picked from the request body (see sniffFamily): anthropic_version →
// Claude, textGenerationConfig → Titan Text, inputText → Titan embeddings, texts/input_type →
// Cohere, schemaVersion/inferenceConfig → Nova, prompt → Mistral if it holds "[INST]" else Llama,
// messages with string content → Mistral chat, with untyped blocks → Nova, anything else → Claude.
//
// Speed: the batch emulator calls InvokeUsage once per record, so a call parses the body once
// into a flat node list (jsondoc.go) that accepts exactly what encoding/json accepts and decodes
// strings exactly as it does, checks the schema on those nodes, and appends the response into
// pooled scratch space byte for byte as json.Marshal would write it; the only allocation of a
// successful call is the returned body. equivalence_test.go holds each fast path to the
// encoding/json, strconv or regexp call it replaces; BenchmarkInvoke measures every family.
//
// The package must not import the pipeline code the emulators check (internal/dataset, chunk,
// reconcile, model, pricing, s3store, dirstore), and it does no I/O.
package fakemodel
