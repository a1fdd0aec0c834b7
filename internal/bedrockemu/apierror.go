package bedrockemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error answered on the wire the way Bedrock's restJson1 protocol does: an HTTP
// status, the X-Amzn-ErrorType header and a JSON body with "message".
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errValidation(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

func errNotFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

func errConflict(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ConflictException", fmt.Sprintf(format, args...)}
}

func errQuota(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ServiceQuotaExceededException", fmt.Sprintf(format, args...)}
}

func errThrottling() *apiError {
	return &apiError{http.StatusTooManyRequests, "ThrottlingException", "Too many requests, please wait before trying again."}
}

// fieldErrors collects constraint violations in the form AWS's request validation reports them:
// "2 validation errors detected: Value 'a_b' at 'jobName' failed to satisfy constraint: ...; ...".
type fieldErrors []string

func (f *fieldErrors) add(value, field, constraint string) {
	*f = append(*f, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint))
}

func (f *fieldErrors) addNull(field string) {
	*f = append(*f, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
}

func (f fieldErrors) err() *apiError {
	if len(f) == 0 {
		return nil
	}
	noun := "errors"
	if len(f) == 1 {
		noun = "error"
	}
	return errValidation("%d validation %s detected: %s", len(f), noun, strings.Join(f, "; "))
}

// writeJSON answers 200 with body as JSON.
func writeJSON(w http.ResponseWriter, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		writeError(w, &apiError{http.StatusInternalServerError, "InternalServerException", "encode response: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// writeError answers e with the status, X-Amzn-ErrorType and {"message"} body the SDK decodes
// into the typed error of the operation (reference §1.5).
func writeError(w http.ResponseWriter, e *apiError) {
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.code, e.message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}
