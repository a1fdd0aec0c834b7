package s3emu

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/faults"
)

// Defaults for the event envelope when Config leaves them empty.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Config configures a Server.
type Config struct {
	// Backend stores the objects. Nil means a fresh in-memory backend.
	Backend gofakes3.Backend
	// Faults injects S3Error (fraction of requests answered 500 or 503), decided with Seed.
	Faults faults.Spec
	// OnEvent receives each "Object Created" event as EventBridge envelope JSON, synchronously,
	// after the response is written. Nil means no events.
	OnEvent func(event []byte)
	// Region and Account fill the event envelope; empty means DefaultRegion and DefaultAccount.
	Region, Account string
	// Now is the clock of the event time; nil means time.Now.
	Now func() time.Time
	// Logger reports an event that could not be built; nil means slog.Default().
	Logger *slog.Logger
}

// Server is the local S3, an http.Handler serving the path-style S3 REST API.
type Server struct {
	cfg      Config
	backend  gofakes3.Backend
	handler  http.Handler
	requests atomic.Uint64 // numbers requests for fault decisions
	sequence atomic.Uint64 // object event sequencer
}

// New returns a Server over cfg.Backend (in memory when nil).
func New(cfg Config) *Server {
	if cfg.Backend == nil {
		cfg.Backend = s3mem.New()
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	fake := gofakes3.New(cfg.Backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	return &Server{cfg: cfg, backend: cfg.Backend, handler: fake.Server()}
}

// CreateBucket creates a bucket directly in the backend, without events or faults. An existing
// bucket is not an error.
func (s *Server) CreateBucket(name string) error {
	if err := gofakes3.ValidateBucketName(name); err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	err := s.backend.CreateBucket(name)
	if gofakes3.HasErrorCode(err, gofakes3.ErrBucketAlreadyExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", name, err)
	}
	return nil
}

// ServeHTTP answers one S3 request: maybe an injected 5xx, otherwise gofakes3, then an event when
// the request created an object.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	spec := s.cfg.Faults
	if spec.Hit(spec.S3Error, "s3-5xx", strconv.FormatUint(n, 10), r.Method, r.URL.Path) {
		s.writeFault(w, r, spec.Roll("s3-5xx-status", strconv.FormatUint(n, 10)) < 0.5)
		return
	}
	reason := createReason(r)
	if reason == "" || s.cfg.OnEvent == nil {
		s.handler.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.handler.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		return
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	ev, err := s.objectCreated(bucket, key, reason, w.Header().Get("x-amz-request-id"), r.RemoteAddr)
	if err != nil {
		s.cfg.Logger.Error("object created event not emitted", "bucket", bucket, "key", key, "err", err)
		return
	}
	s.cfg.OnEvent(ev)
}

// createReason names the request as the "reason" of an Object Created event, or "" when the
// request does not create an object.
func createReason(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if bucket == "" || key == "" {
		return ""
	}
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return "CompleteMultipartUpload"
	case r.Method != http.MethodPut || q.Has("uploadId") || q.Has("partNumber") || q.Has("uploads"):
		return ""
	case r.Header.Get("X-Amz-Copy-Source") != "":
		return "CopyObject"
	default:
		return "PutObject"
	}
}

// ObjectCreatedDetail is the detail of an S3 "Object Created" EventBridge event.
type ObjectCreatedDetail struct {
	Version         string `json:"version"`
	Bucket          Bucket `json:"bucket"`
	Object          Object `json:"object"`
	RequestID       string `json:"request-id"`
	Requester       string `json:"requester"`
	SourceIPAddress string `json:"source-ip-address"`
	Reason          string `json:"reason"`
}

// Bucket names the bucket of an S3 event.
type Bucket struct {
	Name string `json:"name"`
}

// Object describes the object of an S3 event. The key is not URL-encoded in EventBridge events.
type Object struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"etag"`
	Sequencer string `json:"sequencer"`
}

// ObjectCreatedEvent is the full EventBridge envelope of an S3 "Object Created" event.
type ObjectCreatedEvent struct {
	Version    string              `json:"version"`
	ID         string              `json:"id"`
	DetailType string              `json:"detail-type"`
	Source     string              `json:"source"`
	Account    string              `json:"account"`
	Time       string              `json:"time"`
	Region     string              `json:"region"`
	Resources  []string            `json:"resources"`
	Detail     ObjectCreatedDetail `json:"detail"`
}

func (s *Server) objectCreated(bucket, key, reason, requestID, remoteAddr string) ([]byte, error) {
	obj, err := s.backend.HeadObject(bucket, key)
	if err != nil {
		return nil, fmt.Errorf("head created object %s/%s: %w", bucket, key, err)
	}
	obj.Contents.Close()
	ip, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		ip = remoteAddr
	}
	ev := ObjectCreatedEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: eventrule.DetailTypeObjectCreated,
		Source:     eventrule.SourceS3,
		Account:    s.cfg.Account,
		Time:       s.cfg.Now().UTC().Format(time.RFC3339),
		Region:     s.cfg.Region,
		Resources:  []string{"arn:aws:s3:::" + bucket},
		Detail: ObjectCreatedDetail{
			Version: "0",
			Bucket:  Bucket{Name: bucket},
			Object: Object{
				Key:       key,
				Size:      obj.Size,
				ETag:      hex.EncodeToString(obj.Hash),
				Sequencer: fmt.Sprintf("%018X", s.sequence.Add(1)),
			},
			RequestID:       requestID,
			Requester:       s.cfg.Account,
			SourceIPAddress: ip,
			Reason:          reason,
		},
	}
	return json.Marshal(ev)
}

// newUUID returns a random version 4 UUID, as EventBridge uses for event ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// s3Error is S3's XML error body.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, internal bool) {
	// Drain the body so the connection can be reused, as S3 does.
	_, _ = io.Copy(io.Discard, r.Body)
	id := fmt.Sprintf("FAULT%011X", s.requests.Load())
	e := s3Error{Code: "SlowDown", Message: "Please reduce your request rate.", Resource: r.URL.Path, RequestID: id}
	status := http.StatusServiceUnavailable
	if internal {
		e.Code, e.Message, status = "InternalError", "We encountered an internal error. Please try again.", http.StatusInternalServerError
	}
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(e)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
