package reconcile_test

import (
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
)

func TestRetryable(t *testing.T) {
	cases := []struct {
		name, code, message string
		want                bool
	}{
		{"throttling exception", "ThrottlingException", "Too many tokens, please wait before trying again.", true},
		{"429 number", "429", "", true},
		{"408 request timeout", "408", "", true},
		{"424 model error", "424", "The model returned an error", true},
		{"500", "500", "", true},
		{"503", "503", "", true},
		{"599", "599", "", true},
		{"model timeout exception", "ModelTimeoutException", "", true},
		{"model not ready", "ModelNotReadyException", "", true},
		{"internal server", "InternalServerException", "", true},
		{"service unavailable", "ServiceUnavailableException", "", true},
		{"namespaced throttling", "com.amazonaws.bedrock#ThrottlingException", "", true},
		{"lowercase name", "throttlingexception", "", true},
		{"timeout in message", "400", "Model invocation timed out", true},
		{"rate in message", "", "Rate exceeded", true},
		{"400 validation", "400", "Malformed input request: #/messages: expected minimum item count: 1", false},
		{"validation exception", "ValidationException", "max_tokens: must be positive", false},
		{"403", "403", "", false},
		{"404", "404", "", false},
		{"413", "413", "Input is too long for requested model.", false},
		{"422", "422", "", false},
		{"access denied", "AccessDeniedException", "", false},
		{"content filtered code", "ContentFiltered", "", false},
		{"content filter message with 500", "500", "Output blocked by content filtering policy", false},
		{"guardrail message", "", "The guardrail intervened", false},
		{"content filter over timeout", "408", "content filter blocked the response after timeout", false},
		{"unknown name", "WeirdException", "something odd", true},
		{"no code no message", "", "", true},
		{"other number", "302", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := reconcile.Retryable(c.code, c.message); got != c.want {
				t.Fatalf("Retryable(%q, %q) = %v, want %v", c.code, c.message, got, c.want)
			}
		})
	}
}
