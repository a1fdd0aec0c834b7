package runtimeemu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// Operation names passed to Config.Fault.
const (
	OpInvokeModel = "InvokeModel"
	OpConverse    = "Converse"
)

// maxBodyBytes bounds a request body; InvokeModel bodies are at most 25 MB on Bedrock.
const maxBodyBytes = 25 << 20

// Config sets the injected faults and latency. The zero Config serves every call at once and
// without faults.
//
// Each call rolls once, deterministically from Seed, the operation, the model id, the body and
// how many times this handler has already seen that same (operation, model, body): so a retried
// request gets a fresh roll, and a replayed sequence of requests meets the same faults. The roll
// falls into Throttle, then ModelTimeout, then ServerError, then Invalid, in that order.
type Config struct {
	Throttle     float64 // fraction answered 429 ThrottlingException
	ModelTimeout float64 // fraction answered 408 ModelTimeoutException
	ServerError  float64 // fraction answered 5xx: InternalServerException 500 or ServiceUnavailableException 503, half each
	Invalid      float64 // fraction answered 400 ValidationException (a permanent error)
	Seed         int64

	// Latency delays every call before it is answered (0: none). A cancelled request stops waiting.
	Latency time.Duration

	// Fault, when set, is asked first for every call; a non-nil *fakemodel.Error is answered as
	// is (its Status, Type and Message) and the fractions are not rolled. Tests use it to force
	// one error on one call.
	Fault func(Call) *fakemodel.Error
}

// FromFaults maps the CLI fault spec onto a runtime Config: record-retryable is split evenly
// into Throttle, ModelTimeout and ServerError; record-permanent becomes Invalid; seed is kept.
func FromFaults(s faults.Spec) Config {
	third := s.RecordRetryable / 3
	return Config{Throttle: third, ModelTimeout: third, ServerError: third, Invalid: s.RecordPermanent, Seed: s.Seed}
}

// Call is one runtime request as the fault hook sees it.
type Call struct {
	Operation string // OpInvokeModel or OpConverse
	ModelID   string // decoded path label: base id, profile id or ARN
	Body      []byte
	Attempt   int // 1 for the first time this handler sees this (operation, model, body), 2 for the next, ...
}

// Handler serves the Bedrock runtime's InvokeModel (POST /model/{modelId}/invoke) and Converse
// (POST /model/{modelId}/converse) on their restJson wire shapes, answering with the fake models
// of internal/fakemodel. It is safe for concurrent use.
type Handler struct {
	cfg  Config
	mux  *http.ServeMux
	mu   sync.Mutex
	seen map[uint64]int
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler with the given faults and latency.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), seen: map[uint64]int{}}
	// ServeMux patterns match the escaped path, so a profile ARN whose ":" and "/" arrive
	// percent-encoded stays one label, and PathValue returns it decoded.
	h.mux.HandleFunc("POST /model/{modelId}/invoke", h.invoke)
	h.mux.HandleFunc("POST /model/{modelId}/converse", h.converse)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &fakemodel.Error{Status: http.StatusNotFound, Type: "UnknownOperationException",
			Message: fmt.Sprintf("no runtime operation at %s %s", r.Method, r.URL.EscapedPath())})
	})
	return h
}

// ServeHTTP routes a runtime request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", requestID())
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) invoke(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		// The SDK sends the caller's ContentType; Bedrock model bodies are JSON.
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && mt != "application/octet-stream") {
			writeError(w, &fakemodel.Error{Status: 400, Type: "ValidationException", Message: "The provided Content-Type " + ct + " is not supported; use application/json."})
			return
		}
	}
	h.serve(w, r, OpInvokeModel, fakemodel.InvocationInvokeModel)
}

func (h *Handler) converse(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, OpConverse, fakemodel.InvocationConverse)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, op, invocationType string) {
	start := time.Now()
	modelID := r.PathValue("modelId")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, &fakemodel.Error{Status: 400, Type: "ValidationException", Message: fmt.Sprintf("read request body: %v", err)})
		return
	}
	if !fakemodel.Known(modelID) {
		writeError(w, &fakemodel.Error{Status: 404, Type: "ResourceNotFoundException", Message: "Could not resolve the foundation model from the provided model identifier " + modelID + "."})
		return
	}
	if h.cfg.Latency > 0 {
		t := time.NewTimer(h.cfg.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	call := Call{Operation: op, ModelID: modelID, Body: body, Attempt: h.attempt(op, modelID, body)}
	if fe := h.fault(call); fe != nil {
		writeError(w, fe)
		return
	}
	out, usage, err := fakemodel.InvokeUsage(modelID, invocationType, body)
	if err != nil {
		var fe *fakemodel.Error
		if !errors.As(err, &fe) {
			fe = &fakemodel.Error{Status: 500, Type: "InternalServerException", Message: err.Error()}
		}
		writeError(w, fe)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Amzn-Bedrock-Input-Token-Count", strconv.Itoa(usage.InputTokens))
	hd.Set("X-Amzn-Bedrock-Output-Token-Count", strconv.Itoa(usage.OutputTokens))
	hd.Set("X-Amzn-Bedrock-Invocation-Latency", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	if v := r.Header.Get("X-Amzn-Bedrock-PerformanceConfig-Latency"); v != "" && op == OpInvokeModel {
		hd.Set("X-Amzn-Bedrock-PerformanceConfig-Latency", v)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// attempt counts how many times this handler has seen (op, modelID, body), this time included.
func (h *Handler) attempt(op, modelID string, body []byte) int {
	f := fnv.New64a()
	for _, part := range [][]byte{[]byte(op), []byte(modelID), body} {
		f.Write(part)
		f.Write([]byte{0})
	}
	key := f.Sum64()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen[key]++
	return h.seen[key]
}

// fault decides the injected error for a call, if any.
func (h *Handler) fault(c Call) *fakemodel.Error {
	if h.cfg.Fault != nil {
		if fe := h.cfg.Fault(c); fe != nil {
			return fe
		}
	}
	cfg := h.cfg
	if cfg.Throttle+cfg.ModelTimeout+cfg.ServerError+cfg.Invalid == 0 {
		return nil
	}
	spec := faults.Spec{Seed: cfg.Seed}
	keys := []string{"runtime", c.Operation, c.ModelID, string(c.Body), strconv.Itoa(c.Attempt)}
	roll := spec.Roll(keys...)
	switch {
	case roll < cfg.Throttle:
		return &fakemodel.Error{Status: 429, Type: "ThrottlingException", Message: "Too many requests, please wait before trying again."}
	case roll < cfg.Throttle+cfg.ModelTimeout:
		return &fakemodel.Error{Status: 408, Type: "ModelTimeoutException", Message: "Model has timed out in processing the request. Try your request again."}
	case roll < cfg.Throttle+cfg.ModelTimeout+cfg.ServerError:
		if spec.Roll(append(keys, "5xx")...) < 0.5 {
			return &fakemodel.Error{Status: 500, Type: "InternalServerException", Message: "The server encountered an internal error. Try your request again."}
		}
		return &fakemodel.Error{Status: 503, Type: "ServiceUnavailableException", Message: "The service is temporarily unavailable. Try your request again."}
	case roll < cfg.Throttle+cfg.ModelTimeout+cfg.ServerError+cfg.Invalid:
		return &fakemodel.Error{Status: 400, Type: "ValidationException", Message: "Malformed input request: the request was rejected by the injected permanent fault, please reformat your input and try again."}
	}
	return nil
}

// writeError answers with Bedrock's error wire format: the status, X-Amzn-ErrorType, and a JSON
// body with message (and __type, which the SDK also understands).
func writeError(w http.ResponseWriter, fe *fakemodel.Error) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Amzn-ErrorType", fe.Type)
	w.WriteHeader(fe.Status)
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{fe.Type, fe.Message}) // cannot fail: two strings
	w.Write(body)
}

// requestID returns a random UUID-shaped request id.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
