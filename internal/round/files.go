package round

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

// Store is the part of a blob store the round logic uses.
type Store interface {
	Put(ctx context.Context, key string, body io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	List(ctx context.Context, prefix string) ([]string, error)
}

// How a record was answered.
const (
	ByBatch    = "batch"
	ByOnDemand = "on-demand"
)

// Answer is one answered record: a line of a chunk's answers.jsonl and of the run's result
// parts. RecordID is the user's recordId.
type Answer struct {
	RecordID    string          `json:"recordId"`
	ModelOutput json.RawMessage `json:"modelOutput"`
	Usage       *model.Usage    `json:"usage,omitempty"` // absent for families without per-record usage
	AnsweredBy  string          `json:"answeredBy"`      // ByBatch or ByOnDemand
	Round       int             `json:"round"`
	JobName     string          `json:"jobName,omitempty"`
	Line        int64           `json:"line"`
	Source      int             `json:"source"`
}

// ErrorInfo is the last error a record met.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Pending is a record to try again: a line of a chunk's pending.jsonl and of a round's tail.
type Pending struct {
	ID         string          `json:"id"` // the pipeline id, kept across rounds
	RecordID   string          `json:"recordId"`
	Line       int64           `json:"line"`
	Source     int             `json:"source"`
	ModelInput json.RawMessage `json:"modelInput"`
	LastError  *ErrorInfo      `json:"lastError,omitempty"` // nil when the record was missing from the output
}

// Failure is a record given up on: a line of failed.jsonl.
type Failure struct {
	RecordID   string          `json:"recordId"`
	Line       int64           `json:"line"`
	Source     int             `json:"source"`
	Error      ErrorInfo       `json:"error"`
	Attempts   int             `json:"attempts"`
	ModelInput json.RawMessage `json:"modelInput"`
}

// missingError describes a record that no output answered.
func missingError(rounds int) ErrorInfo {
	return ErrorInfo{Code: "Missing", Message: fmt.Sprintf("no answer after %d batch round(s)", rounds)}
}

// failureOf turns a pending record into a failure with its last error, or err when it has none.
func failureOf(p Pending, attempts int, fallback ErrorInfo) Failure {
	e := fallback
	if p.LastError != nil {
		e = *p.LastError
	}
	return Failure{RecordID: p.RecordID, Line: p.Line, Source: p.Source, Error: e, Attempts: attempts, ModelInput: p.ModelInput}
}

// LineWriter streams JSON lines into one store object while they are produced.
type LineWriter struct {
	pw   *io.PipeWriter
	bw   *bufio.Writer
	done chan error
	n    int64
	buf  []byte // reused for Answer lines
}

// NewLineWriter starts writing key; Close finishes it, Abort leaves it unwritten.
func NewLineWriter(ctx context.Context, store Store, key string) *LineWriter {
	pr, pw := io.Pipe()
	w := &LineWriter{pw: pw, bw: bufio.NewWriterSize(pw, 256<<10), done: make(chan error, 1)}
	go func() {
		err := store.Put(ctx, key, pr)
		pr.CloseWithError(err)
		if err != nil {
			err = fmt.Errorf("write %s: %w", key, err)
		}
		w.done <- err
	}()
	return w
}

// Write encodes v as one line.
func (w *LineWriter) Write(v any) error {
	var b []byte
	var err error
	if a, ok := v.(Answer); ok {
		w.buf, err = appendAnswer(w.buf[:0], &a)
		b = w.buf
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("encode line: %w", err)
	}
	w.n++
	if _, err := w.bw.Write(append(b, '\n')); err != nil {
		return err
	}
	return nil
}

// WriteRaw writes one line that is already JSON.
func (w *LineWriter) WriteRaw(line []byte) error {
	w.n++
	_, err := w.bw.Write(append(line, '\n'))
	return err
}

// Close flushes and waits for the store to finish; it returns the first error of either side.
func (w *LineWriter) Close() error {
	err := w.bw.Flush()
	if err != nil {
		w.pw.CloseWithError(err)
	} else {
		w.pw.Close()
	}
	if perr := <-w.done; perr != nil {
		return perr
	}
	return err
}

// Abort stops the object from being written as complete.
func (w *LineWriter) Abort(cause error) {
	w.pw.CloseWithError(cause)
	<-w.done
}

// EachLine calls fn with every non-blank line of key. A missing object is no lines when
// optional, else an error. The line is only valid during the call.
func EachLine(ctx context.Context, store Store, key string, optional bool, fn func([]byte) error) error {
	rc, err := store.Get(ctx, key)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 256<<10)
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			full := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				full = append(full, line...)
			}
			line = full
		}
		if t := strings.TrimSpace(string(line)); t != "" {
			if ferr := fn([]byte(t)); ferr != nil {
				return fmt.Errorf("%s line %d: %w", key, n, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
	}
}

// ReadJSON decodes key into v; found is false when the object does not exist.
func ReadJSON(ctx context.Context, store Store, key string, v any) (found bool, err error) {
	rc, err := store.Get(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(v); err != nil {
		return false, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

// WriteJSON puts v, indented, at key.
func WriteJSON(ctx context.Context, store Store, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := store.Put(ctx, key, strings.NewReader(string(b)+"\n")); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}
