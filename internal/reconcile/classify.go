package reconcile

import (
	"strconv"
	"strings"
)

// retryableCodes are error names (as Bedrock and the runtime API spell them) that a later
// attempt can get past.
var retryableCodes = map[string]bool{
	"throttlingexception":           true,
	"toomanyrequestsexception":      true,
	"servicequotaexceededexception": true,
	"modeltimeoutexception":         true,
	"modelnotreadyexception":        true,
	"modelerrorexception":           true,
	"internalserverexception":       true,
	"serviceunavailableexception":   true,
	"requesttimeout":                true,
	"requesttimeoutexception":       true,
}

// permanentCodes are error names that the same request will always get again.
var permanentCodes = map[string]bool{
	"validationexception":       true,
	"accessdeniedexception":     true,
	"resourcenotfoundexception": true,
	"contentfiltered":           true,
	"malformedinput":            true,
}

// permanentHints and retryableHints are message fragments (lowercase) that decide when the code
// alone does not. Content filtering is checked first: it is final whatever the code says.
var (
	permanentHints = []string{"content filter", "content_filter", "blocked by", "guardrail", "responsible ai"}
	retryableHints = []string{"throttl", "too many requests", "rate exceeded", "timed out", "timeout", "try again", "temporarily", "service unavailable", "internal server"}
)

// Retryable reports whether a record that failed with errorCode code and errorMessage message
// should be sent again in a later round (true) or reported as a permanent failure (false).
//
// The rules, in order:
//  1. a message about content filtering or guardrails (content filter, blocked by, guardrail,
//     responsible AI) is permanent: the same prompt is filtered again;
//  2. a message about throttling or timeouts (throttl, too many requests, rate exceeded, timed
//     out, timeout, try again, temporarily, service unavailable, internal server) is retryable;
//  3. a numeric code: 408 (timeout), 424 (model error), 429 (throttling) and every 5xx are
//     retryable; every other 4xx (400 validation, 403, 404, 413, 422, ...) is permanent;
//  4. a named code: throttling, quota, model timeout/not-ready/error, internal server and
//     service-unavailable exceptions are retryable; validation, access-denied, not-found,
//     content-filtered and malformed-input are permanent;
//  5. anything else — an unknown code with an unhelpful message, or no code at all — is
//     retryable. Retry rounds are bounded, so guessing "retryable" costs at most a few rounds
//     for a record that fails for good, while guessing "permanent" would drop a record that a
//     second attempt could answer.
func Retryable(code, message string) bool {
	msg := strings.ToLower(message)
	for _, h := range permanentHints {
		if strings.Contains(msg, h) {
			return false
		}
	}
	for _, h := range retryableHints {
		if strings.Contains(msg, h) {
			return true
		}
	}
	code = strings.TrimSpace(code)
	if n, err := strconv.Atoi(code); err == nil {
		switch {
		case n == 408 || n == 424 || n == 429 || (n >= 500 && n <= 599):
			return true
		case n >= 400 && n <= 499:
			return false
		}
		return true
	}
	name := strings.ToLower(code)
	if i := strings.LastIndexByte(name, '#'); i >= 0 {
		name = name[i+1:]
	}
	if retryableCodes[name] {
		return true
	}
	if permanentCodes[name] {
		return false
	}
	return true
}
