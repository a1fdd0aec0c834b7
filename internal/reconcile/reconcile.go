package reconcile

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

// Store is what Reconcile reads through: the chunk's files and the job's output files.
type Store interface {
	// Get opens key; a missing key returns an error wrapping fs.ErrNotExist.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// List returns every key under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
}

// File names inside a chunk folder and a job output folder.
const (
	InputFile    = "input.jsonl"
	RecordsFile  = "records.jsonl"
	ManifestFile = "manifest.json.out"
	outSuffix    = ".out"
)

// Terminal Bedrock job statuses (bedrock-batch-api.md §6).
const (
	StatusCompleted          = "Completed"
	StatusPartiallyCompleted = "PartiallyCompleted"
	StatusFailed             = "Failed"
	StatusStopped            = "Stopped"
	StatusExpired            = "Expired"
)

// ErrNotTerminal means the job has not finished; reconciling it now would call records missing
// that are still being processed. The caller waits for a terminal status.
var ErrNotTerminal = errors.New("job status is not terminal")

// ErrCorruptChunk means the chunk's input.jsonl and records.jsonl disagree or cannot be read
// as written by the chunker. Retrying will not help; the chunk must be rewritten.
var ErrCorruptChunk = errors.New("corrupt chunk")

// Job says what to reconcile.
type Job struct {
	// ChunkPrefix is the chunk folder holding input.jsonl and records.jsonl ("/" is added when
	// missing).
	ChunkPrefix string
	// OutputPrefix is the job's output folder, <outputDataConfig.s3Uri key>/<jobId>/ ("/" is
	// added when missing). Empty when no job ran (every record is then missing).
	OutputPrefix string
	// Status is the job's terminal status. Every status reads whatever outputs exist: Completed
	// and PartiallyCompleted should have them; Failed, Stopped and Expired may have some.
	Status string
	// Family reads modelOutput bodies for per-record usage (model.Detect).
	Family model.Family
}

// Outcome is what happened to one record.
type Outcome uint8

// The outcomes. FailedRetryable and Missing go to the next round; FailedPermanent is reported.
const (
	Succeeded Outcome = iota + 1
	FailedRetryable
	FailedPermanent
	Missing
)

// String returns the outcome's name as reports spell it.
func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "succeeded"
	case FailedRetryable:
		return "failed-retryable"
	case FailedPermanent:
		return "failed-permanent"
	case Missing:
		return "missing"
	}
	return "unknown"
}

// Retry reports whether records with this outcome are sent again.
func (o Outcome) Retry() bool { return o == FailedRetryable || o == Missing }

// Record is one classified input record, handed to the Sink. The Sink must not keep the
// Record or its byte slices after it returns: they are reused.
type Record struct {
	ID       string // pipeline id, the recordId Bedrock saw
	RecordID string // the user's recordId
	Line     int64  // 1-based line in the source object
	Source   int    // index of the source object
	Outcome  Outcome
	// ModelOutput is the model's answer body (Succeeded only).
	ModelOutput json.RawMessage
	// Usage is the record's tokens when HasUsage (Succeeded only, per-record-usage families).
	Usage    model.Usage
	HasUsage bool
	// ModelInput is the record's request body, to send again or to report (not for Succeeded).
	ModelInput json.RawMessage
	// Error is the record's error (FailedRetryable and FailedPermanent; nil for Missing).
	Error *RecordError
}

// Sink receives every input record exactly once: successes while the outputs are read (in output
// order), then failures and missing records in input order. An error stops Reconcile.
type Sink func(*Record) error

// Manifest is manifest.json.out: the job's own counts.
type Manifest struct {
	TotalRecordCount     int64  `json:"totalRecordCount"`
	ProcessedRecordCount int64  `json:"processedRecordCount"`
	SuccessRecordCount   int64  `json:"successRecordCount"`
	ErrorRecordCount     int64  `json:"errorRecordCount"`
	InputTokenCount      *int64 `json:"inputTokenCount,omitempty"`
	OutputTokenCount     *int64 `json:"outputTokenCount,omitempty"`
}

// How Summary.Tokens was obtained.
const (
	TokensFromRecords  = "records"  // summed from every succeeded record's usage
	TokensFromManifest = "manifest" // the manifest's totals: the family has no per-record usage, or some record lacked it
	TokensPartial      = "partial"  // summed from the records that had usage, with no manifest to fall back on
)

// MaxProblems is how many problem descriptions a Summary keeps; the counts cover all of them.
const MaxProblems = 20

// Summary counts what Reconcile found. Succeeded+FailedRetryable+FailedPermanent+Missing ==
// Records always.
type Summary struct {
	Status          string `json:"status"`
	Records         int    `json:"records"`
	Succeeded       int    `json:"succeeded"`
	FailedRetryable int    `json:"failedRetryable"`
	FailedPermanent int    `json:"failedPermanent"`
	Missing         int    `json:"missing"`
	// Unexpected counts output lines whose recordId the chunk never sent.
	Unexpected int `json:"unexpected"`
	// Duplicates counts output lines for a record that already had one (first success wins; a
	// success replaces an earlier error).
	Duplicates int `json:"duplicates"`
	// Malformed counts output lines that could not be parsed; their records count as missing
	// unless another line answers them.
	Malformed int `json:"malformed"`
	// Blank counts blank output lines (skipped).
	Blank       int         `json:"blank"`
	OutputFiles []string    `json:"outputFiles"`
	Manifest    *Manifest   `json:"manifest,omitempty"`
	Tokens      model.Usage `json:"tokens"`
	TokenSource string      `json:"tokenSource"`
	// WithoutUsage counts succeeded records whose modelOutput carried no usage.
	WithoutUsage int `json:"withoutUsage"`
	// Problems describes the first MaxProblems malformed, unexpected or unreadable items by file
	// and line, never quoting record bodies.
	Problems []string `json:"problems,omitempty"`
}

// Retry returns how many records go to the next round.
func (s *Summary) Retry() int { return s.FailedRetryable + s.Missing }

func (s *Summary) problem(format string, args ...any) {
	if len(s.Problems) < MaxProblems {
		s.Problems = append(s.Problems, fmt.Sprintf(format, args...))
	}
}

// entry is one record of the chunk, from records.jsonl.
type entry struct {
	id       string
	recordID string
	line     int64
	source   int
}

// state is what the outputs said about one record so far.
type state struct {
	outcome Outcome // 0: nothing yet
	err     *RecordError
}

// sidecarLine is one line of records.jsonl (contracts.md, "Chunk folder layout").
type sidecarLine struct {
	ID       string
	RecordID string
	Line     int64
	Source   int
}

// parseSidecarLine reads {"id","recordId","line","source"} with the line walker: records.jsonl
// is read whole for every join, and encoding/json costs more than the rest of the join's setup.
// Unknown members are skipped.
func parseSidecarLine(line []byte) (sidecarLine, error) {
	var s sidecarLine
	err := walkObject(line, func(key, value []byte) error {
		var err error
		switch string(key) {
		case "id":
			s.ID, err = stringMember(value)
		case "recordId":
			s.RecordID, err = stringMember(value)
		case "line":
			s.Line, err = strconv.ParseInt(string(value), 10, 64)
		case "source":
			var n int64
			n, err = strconv.ParseInt(string(value), 10, 32)
			s.Source = int(n)
		}
		return err
	})
	return s, err
}

func stringMember(v []byte) (string, error) {
	if v[0] != '"' {
		return "", errors.New("not a string")
	}
	return stringValue(v)
}

// maxLine bounds one output or input line; Bedrock's own record limit is far below it.
const maxLine = 64 << 20

// Reconcile classifies every record of job's chunk exactly once and hands each to sink. It reads
// records.jsonl, then every output file under job.OutputPrefix (each key ending in ".out" other
// than manifest.json.out, in listing order) and the manifest, then — only if some record did not
// succeed — input.jsonl for the bodies of the records to retry or report. Memory holds the
// chunk's ids and the errors of failed records, never the outputs.
//
// Malformed, unexpected, duplicate and blank output lines are counted in the Summary, never
// fatal. Errors: ErrNotTerminal for a running job, ErrCorruptChunk for an unreadable chunk,
// store errors (wrapped) for files that cannot be read, the context's error, and the sink's
// error. After an error the sink may have received part of the records: the caller discards what
// it wrote and joins again.
func Reconcile(ctx context.Context, store Store, job Job, sink Sink) (Summary, error) {
	sum := Summary{Status: job.Status, OutputFiles: []string{}}
	switch job.Status {
	case StatusCompleted, StatusPartiallyCompleted, StatusFailed, StatusStopped, StatusExpired:
	default:
		return sum, fmt.Errorf("reconcile %s: status %q: %w", job.ChunkPrefix, job.Status, ErrNotTerminal)
	}
	job.ChunkPrefix, job.OutputPrefix = folder(job.ChunkPrefix), folder(job.OutputPrefix)
	if _, err := model.ParseFamily(string(job.Family)); err != nil {
		return sum, fmt.Errorf("reconcile %s: %w", job.ChunkPrefix, err)
	}
	entries, index, err := readSidecar(ctx, store, job.ChunkPrefix+RecordsFile)
	if err != nil {
		return sum, err
	}
	sum.Records = len(entries)
	states := make([]state, len(entries))

	var outputs []string
	var manifestKey string
	if job.OutputPrefix != "" {
		keys, err := store.List(ctx, job.OutputPrefix)
		if err != nil {
			return sum, fmt.Errorf("reconcile %s: list outputs: %w", job.ChunkPrefix, err)
		}
		for _, k := range keys {
			switch {
			case path.Base(k) == ManifestFile:
				if manifestKey == "" || k == job.OutputPrefix+ManifestFile {
					manifestKey = k
				}
			case strings.HasSuffix(k, outSuffix):
				outputs = append(outputs, k)
			}
		}
	}
	sum.OutputFiles = append(sum.OutputFiles, outputs...)

	rec := &Record{}
	var tokens model.Usage
	for _, key := range outputs {
		if err := readOutput(ctx, store, key, job.Family, index, entries, states, &sum, &tokens, rec, sink); err != nil {
			return sum, err
		}
	}
	if manifestKey != "" {
		sum.Manifest = readManifest(ctx, store, manifestKey, &sum)
	}
	sum.Tokens, sum.TokenSource = tokens, TokensFromRecords
	if sum.WithoutUsage > 0 || !job.Family.PerRecordUsage() {
		if m := sum.Manifest; m != nil && m.InputTokenCount != nil {
			sum.Tokens = model.Usage{InputTokens: *m.InputTokenCount}
			if m.OutputTokenCount != nil {
				sum.Tokens.OutputTokens = *m.OutputTokenCount
			}
			sum.TokenSource = TokensFromManifest
		} else {
			sum.TokenSource = TokensPartial
		}
	}

	for i := range states {
		switch states[i].outcome {
		case Succeeded:
			sum.Succeeded++
		case FailedRetryable:
			sum.FailedRetryable++
		case FailedPermanent:
			sum.FailedPermanent++
		default:
			states[i].outcome = Missing
			sum.Missing++
		}
	}
	if sum.Succeeded < sum.Records {
		if err := emitUnanswered(ctx, store, job.ChunkPrefix+InputFile, entries, states, rec, sink); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// folder adds the trailing "/" a non-empty key prefix needs to name a folder, so "out/abc" does
// not also list "out/abcd/".
func folder(prefix string) string {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		return prefix + "/"
	}
	return prefix
}

func readSidecar(ctx context.Context, store Store, key string) ([]entry, map[string]int32, error) {
	rc, err := store.Get(ctx, key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("read %s: %w: %w", key, ErrCorruptChunk, err)
		}
		return nil, nil, fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	var entries []entry
	index := map[string]int32{}
	lr := newLineReader(rc)
	for n := int64(1); ; n++ {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read %s line %d: %w", key, n, err)
		}
		s, err := parseSidecarLine(line)
		if err != nil || s.ID == "" {
			return nil, nil, fmt.Errorf("read %s line %d: %w: not a {id, recordId, line, source} object", key, n, ErrCorruptChunk)
		}
		if _, dup := index[s.ID]; dup {
			return nil, nil, fmt.Errorf("read %s line %d: %w: id %s appears twice", key, n, ErrCorruptChunk, s.ID)
		}
		index[s.ID] = int32(len(entries))
		entries = append(entries, entry{id: s.ID, recordID: s.RecordID, line: s.Line, source: s.Source})
	}
	return entries, index, nil
}

func readOutput(ctx context.Context, store Store, key string, family model.Family, index map[string]int32,
	entries []entry, states []state, sum *Summary, tokens *model.Usage, rec *Record, sink Sink) error {
	rc, err := store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read output %s: %w", key, err)
	}
	defer rc.Close()
	lr := newLineReader(rc)
	var view []byte
	for n := 1; ; n++ {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if n%1024 == 0 && ctx.Err() != nil {
			return fmt.Errorf("read output %s: %w", key, ctx.Err())
		}
		if errors.Is(err, errLineTooLong) {
			sum.Malformed++
			sum.problem("%s line %d: longer than %d bytes", key, n, maxLine)
			continue
		}
		if err != nil {
			return fmt.Errorf("read output %s line %d: %w", key, n, err)
		}
		if len(line) == 0 {
			sum.Blank++
			continue
		}
		out, err := ParseOutputLine(line)
		if err != nil {
			sum.Malformed++
			sum.problem("%s line %d: %v", key, n, err)
			continue
		}
		i, ok := index[out.RecordID]
		if !ok {
			sum.Unexpected++
			sum.problem("%s line %d: recordId %q was not sent in this chunk", key, n, truncate(out.RecordID, 40))
			continue
		}
		st := &states[i]
		if st.outcome == Succeeded {
			sum.Duplicates++
			continue
		}
		if out.Error != nil {
			if st.outcome != 0 {
				sum.Duplicates++
				continue
			}
			st.outcome, st.err = FailedPermanent, out.Error
			if Retryable(out.Error.Code, out.Error.Message) {
				st.outcome = FailedRetryable
			}
			continue
		}
		if st.outcome != 0 {
			sum.Duplicates++
		}
		st.outcome, st.err = Succeeded, nil
		view = usageView(view[:0], out.ModelOutput)
		u, hasUsage, uerr := family.Usage(view)
		if uerr != nil || !hasUsage {
			hasUsage = false
			sum.WithoutUsage++
		} else {
			*tokens = tokens.Add(u)
		}
		e := &entries[i]
		*rec = Record{ID: e.id, RecordID: e.recordID, Line: e.line, Source: e.source, Outcome: Succeeded,
			ModelOutput: out.ModelOutput, Usage: u, HasUsage: hasUsage}
		if err := sink(rec); err != nil {
			return fmt.Errorf("reconcile record %s: %w", e.id, err)
		}
	}
}

// usageView appends to dst an object holding only the model.UsageMembers of the validated
// modelOutput body, so reading usage does not decode long answers or embedding vectors.
func usageView(dst, body []byte) []byte {
	dst = append(dst, '{')
	i := skipSpace(body, 1)
	for i < len(body) && body[i] == '"' {
		keyEnd, _ := skipString(body, i)
		key := body[i:keyEnd]
		j := skipSpace(body, keyEnd)
		j = skipSpace(body, j+1)
		end, _ := skipValue(body, j, 0)
		if isUsageMember(key) {
			if len(dst) > 1 {
				dst = append(dst, ',')
			}
			dst = append(dst, key...)
			dst = append(dst, ':')
			dst = append(dst, body[j:end]...)
		}
		i = skipSpace(body, end)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return append(dst, '}')
}

// usageKeys holds the quoted member names of model.UsageMembers.
var usageKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range model.UsageMembers {
		m[`"`+k+`"`] = true
	}
	return m
}()

// isUsageMember matches the raw key token; an escaped spelling of a usage key is not matched and
// then reads as "no usage", which falls back to the manifest.
func isUsageMember(key []byte) bool { return usageKeys[string(key)] }

func readManifest(ctx context.Context, store Store, key string, sum *Summary) *Manifest {
	rc, err := store.Get(ctx, key)
	if err != nil {
		sum.problem("%s: %v", key, err)
		return nil
	}
	defer rc.Close()
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&m); err != nil {
		sum.problem("%s: not a manifest object: %v", key, err)
		return nil
	}
	return &m
}

// inputFields returns the recordId and modelInput of one input.jsonl line.
func inputFields(line []byte) (id string, body json.RawMessage, err error) {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return "", nil, errNotObject
	}
	var v struct {
		RecordID   string          `json:"recordId"`
		ModelInput json.RawMessage `json:"modelInput"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return "", nil, err
	}
	return v.RecordID, v.ModelInput, nil
}

func emitUnanswered(ctx context.Context, store Store, key string, entries []entry, states []state, rec *Record, sink Sink) error {
	rc, err := store.Get(ctx, key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read %s: %w: %w", key, ErrCorruptChunk, err)
		}
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	lr := newLineReader(rc)
	for i := range entries {
		line, err := lr.next()
		if err == io.EOF {
			return fmt.Errorf("read %s: %w: %d lines, records.jsonl has %d", key, ErrCorruptChunk, i, len(entries))
		}
		if err != nil {
			return fmt.Errorf("read %s line %d: %w", key, i+1, err)
		}
		if i%1024 == 0 && ctx.Err() != nil {
			return fmt.Errorf("read %s: %w", key, ctx.Err())
		}
		st := &states[i]
		if st.outcome == Succeeded {
			continue
		}
		e := &entries[i]
		id, body, err := inputFields(line)
		if err != nil || id != e.id || len(body) == 0 {
			return fmt.Errorf("read %s line %d: %w: not the {recordId, modelInput} line of record %s", key, i+1, ErrCorruptChunk, e.id)
		}
		*rec = Record{ID: e.id, RecordID: e.recordID, Line: e.line, Source: e.source, Outcome: st.outcome,
			ModelInput: body, Error: st.err}
		if err := sink(rec); err != nil {
			return fmt.Errorf("reconcile record %s: %w", e.id, err)
		}
	}
	if _, err := lr.next(); err != io.EOF {
		return fmt.Errorf("read %s: %w: more lines than records.jsonl's %d", key, ErrCorruptChunk, len(entries))
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

// lineReader reads lines without their "\n" or "\r\n", reusing one buffer; a line longer than
// max bytes is skipped whole and reported as errLineTooLong. A whitespace-only line reads as
// empty.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
	max int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 256<<10), max: maxLine}
}

func (l *lineReader) next() ([]byte, error) {
	l.buf = l.buf[:0]
	tooLong := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		if !tooLong {
			if len(l.buf)+len(chunk) > l.max+2 {
				tooLong, l.buf = true, l.buf[:0]
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(l.buf) == 0 && !tooLong {
				return nil, io.EOF
			}
		} else if err != nil {
			return nil, err
		}
		break
	}
	if tooLong {
		return nil, errLineTooLong
	}
	line := l.buf
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return trimBlank(line), nil
}

// trimBlank returns an empty slice for a line of only whitespace.
func trimBlank(line []byte) []byte {
	if skipSpace(line, 0) == len(line) {
		return line[:0]
	}
	return line
}
