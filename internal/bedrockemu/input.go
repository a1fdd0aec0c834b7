package bedrockemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// inputFile is one .jsonl object of a job's input.
type inputFile struct {
	key     string // object key
	outName string // output object name under <output>/<jobId>/, without ".out"
	records []record
}

// record is one validated input line. Both fields are compact JSON; in a job they are slices of
// its spill's mapping (see spill), from parseRecord slices of the line or new ones.
type record struct {
	id         []byte // the recordId exactly as it is echoed (a generated one as a JSON string)
	modelInput []byte
}

// recordID returns the recordId as a string, for fault decisions: the value of a JSON string,
// else the compact JSON of the value.
func (r *record) recordID() string {
	if s, ok := plainString(r.id); ok {
		return s
	}
	var s string
	if json.Unmarshal(r.id, &s) == nil {
		return s
	}
	return string(r.id)
}

// plainString returns the value of a JSON string literal that has no escapes and is valid
// UTF-8, the common case that needs no decoding.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	s := b[1 : len(b)-1]
	if bytes.IndexByte(s, '\\') >= 0 || bytes.IndexByte(s, '"') >= 0 || !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

// splitS3URI splits "s3://bucket/key" into bucket and key.
func splitS3URI(uri string) (bucket, key string) {
	rest := strings.TrimPrefix(uri, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key
}

// readInput does the Validating work: it lists and reads every .jsonl object of the job's input
// through S3 and checks the JSONL shape and the quotas. It fills j.files and returns "" when the
// input is valid, or the failure message the job fails with.
func (e *Emulator) readInput(j *job) string {
	uri := j.spec.Input.S3InputDataConfig.S3URI
	bucket, key := splitS3URI(uri)
	objects, err := e.listObjects(bucket, key)
	if err != nil {
		return fmt.Sprintf("Amazon Bedrock could not list objects in %s. Check that the service role %s has s3:ListBucket permission on the bucket and that the bucket exists. (%v)", uri, j.spec.RoleARN, err)
	}
	var files []s3Object
	if strings.HasSuffix(key, ".jsonl") {
		for _, o := range objects {
			if o.key == key {
				files = []s3Object{{key: key, size: o.size, rel: path.Base(key)}}
			}
		}
	}
	if files == nil {
		prefix := key
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		for _, o := range objects {
			if strings.HasPrefix(o.key, prefix) && strings.HasSuffix(o.key, ".jsonl") {
				files = append(files, s3Object{key: o.key, size: o.size, rel: strings.TrimPrefix(o.key, prefix)})
			}
		}
	}
	if len(files) == 0 {
		return fmt.Sprintf("No .jsonl input files were found at %s. Input files must have the .jsonl extension.", uri)
	}
	lim := e.cfg.Limits.limitsFor(j.quotaKey)
	var jobBytes int64
	for _, f := range files {
		if f.size > lim.MaxFileBytes {
			return fmt.Sprintf("The input file s3://%s/%s is %d bytes, which exceeds the maximum input file size of %d bytes.", bucket, f.key, f.size, lim.MaxFileBytes)
		}
		jobBytes += f.size
	}
	if jobBytes > lim.MaxJobBytes {
		return fmt.Sprintf("The input files at %s total %d bytes, which exceeds the maximum job size of %d bytes.", uri, jobBytes, lim.MaxJobBytes)
	}
	total := 0
	j.files = nil
	sp, err := newSpill()
	if err != nil {
		return fmt.Sprintf("%s (%v)", validationErrorMessage, err)
	}
	j.spill = sp
	br := bufio.NewReaderSize(nil, lineBuffer)
	spans := make([][]span, 0, len(files))
	for _, f := range files {
		fs, msg := e.readFile(bucket, f, sp, br)
		if msg != "" {
			return msg
		}
		if len(fs) > lim.MaxRecordsPerFile {
			return fmt.Sprintf("The input file s3://%s/%s contains %d records, which exceeds the maximum of %d records per input file.", bucket, f.key, len(fs), lim.MaxRecordsPerFile)
		}
		total += len(fs)
		spans = append(spans, fs)
	}
	switch {
	case total > lim.MaxRecords:
		return fmt.Sprintf("The job contains %d records, which exceeds the maximum of %d records per batch inference job.", total, lim.MaxRecords)
	case total < lim.MinRecords || total == 0:
		return fmt.Sprintf("The job contains %d records, which is less than the minimum of %d records required for a batch inference job.", total, lim.MinRecords)
	}
	if err := sp.mapAll(); err != nil {
		return fmt.Sprintf("%s (%v)", validationErrorMessage, err)
	}
	for i, f := range files {
		in := inputFile{key: f.key, outName: f.rel, records: make([]record, len(spans[i]))}
		for k, s := range spans[i] {
			in.records[k] = record{id: sp.bytes(s.off, int(s.idLen)), modelInput: sp.bytes(s.off+int64(s.idLen), int(s.miLen))}
		}
		j.files = append(j.files, in)
	}
	return ""
}

type s3Object struct {
	key, rel string
	size     int64
}

// listObjects lists every object under prefix, all pages.
func (e *Emulator) listObjects(bucket, prefix string) ([]s3Object, error) {
	var out []s3Object
	p := s3.NewListObjectsV2Paginator(e.cfg.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			out = append(out, s3Object{key: aws.ToString(o.Key), size: aws.ToInt64(o.Size)})
		}
	}
	return out, nil
}

// lineBuffer is the size of the buffer an input object is read through; a longer line is
// gathered in a buffer of its own.
const lineBuffer = 1 << 20

// span is where a validated record sits in the job's spill: its recordId, then its modelInput.
type span struct {
	off          int64
	idLen, miLen int32
}

// readFile streams and checks one .jsonl object through br, appending each record to sp. Blank
// lines are skipped; every other line must be a JSON object with an object modelInput. A missing
// or null recordId gets a generated one.
func (e *Emulator) readFile(bucket string, f s3Object, sp *spill, br *bufio.Reader) ([]span, string) {
	uri := "s3://" + bucket + "/" + f.key
	obj, err := e.cfg.S3.GetObject(e.ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.key)})
	if err != nil {
		return nil, fmt.Sprintf("Amazon Bedrock could not read the input file %s. Check that the service role has s3:GetObject permission on it. (%v)", uri, err)
	}
	defer obj.Body.Close()
	br.Reset(obj.Body)
	defer br.Reset(nil)
	var spans []span
	var long []byte
	for line := 1; ; line++ {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], raw...)
			for errors.Is(err, bufio.ErrBufferFull) {
				raw, err = br.ReadSlice('\n')
				long = append(long, raw...)
			}
			raw = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Sprintf("Amazon Bedrock could not read the input file %s. (%v)", uri, err)
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			rec, reason := e.parseRecord(raw, f.key, line)
			if reason != "" {
				return nil, fmt.Sprintf("The input file %s has an invalid record at line %d: %s. Each line must be a JSON object with a modelInput object and an optional recordId.", uri, line, reason)
			}
			off, werr := sp.add(rec.id)
			if werr == nil {
				_, werr = sp.add(rec.modelInput)
			}
			if werr != nil {
				return nil, fmt.Sprintf("%s (%v)", validationErrorMessage, werr)
			}
			spans = append(spans, span{off: off, idLen: int32(len(rec.id)), miLen: int32(len(rec.modelInput))})
		}
		if err != nil {
			return spans, ""
		}
	}
}

// validationErrorMessage fails a job whose input the emulator could not keep.
const validationErrorMessage = "The batch inference job failed due to an internal error while validating the input. Submit a new job."

// parseRecord checks one input line and returns the reason it is invalid, never its content.
// A valid line takes one validating pass and one walk over its top-level members; anything
// else is parsed again by parseRecordSlow, which words the reason.
func (e *Emulator) parseRecord(raw []byte, key string, line int) (record, string) {
	t := trimJSONSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return e.parseRecordSlow(raw, key, line)
	}
	if valid, _ := jsonScan(t); !valid {
		return e.parseRecordSlow(raw, key, line)
	}
	var id, mi []byte
	var miCompact, hasMI, hasID bool
	i := skipJSONSpace(t, 1)
	for t[i] != '}' {
		kEnd := stringEnd(t, i)
		k := t[i:kEnd]
		i = skipJSONSpace(t, kEnd)
		i = skipJSONSpace(t, i+1) // the colon
		vEnd, compact := valueEnd(t, i)
		v := t[i:vEnd]
		if bytes.IndexByte(k, '\\') >= 0 {
			var name string
			_ = json.Unmarshal(k, &name)
			k = strconv.AppendQuote(nil, name)
		}
		switch string(k) {
		case `"modelInput"`:
			mi, miCompact, hasMI = v, compact, true
		case `"recordId"`:
			id, hasID = v, true
		}
		i = skipJSONSpace(t, vEnd)
		if t[i] == ',' {
			i = skipJSONSpace(t, i+1)
		}
	}
	if !hasMI || mi[0] != '{' {
		return e.parseRecordSlow(raw, key, line)
	}
	rec := record{modelInput: mi}
	if !miCompact {
		rec.modelInput = compactJSON(mi)
	}
	switch {
	case !hasID || bytes.Equal(id, []byte("null")):
		rec.id = e.generatedID(key, line)
	case id[0] == '{' || id[0] == '[':
		rec.id = compactJSON(id)
	default:
		rec.id = id
	}
	return rec, ""
}

// generatedID is the recordId of a line without one, as a JSON string.
func (e *Emulator) generatedID(key string, line int) []byte {
	id, _ := json.Marshal(e.deterministicID(11, "record-id", key, strconv.Itoa(line)))
	return id
}

// compactJSON returns valid JSON v without insignificant white space, in a new slice.
func compactJSON(v []byte) []byte {
	var b bytes.Buffer
	_ = json.Compact(&b, v)
	return b.Bytes()
}

// parseRecordSlow is the reference parse of one line with encoding/json's decoder: it accepts
// exactly what parseRecord accepts, and words the reason a line is invalid.
func (e *Emulator) parseRecordSlow(raw []byte, key string, line int) (record, string) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&obj); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return record{}, fmt.Sprintf("malformed JSON at character %d", syn.Offset)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return record{}, "malformed JSON: the line ends inside a JSON value"
		}
		return record{}, "the line is not a JSON object"
	}
	if dec.More() {
		return record{}, "more than one JSON value on the line"
	}
	if obj == nil {
		return record{}, "the line is not a JSON object"
	}
	mi, ok := obj["modelInput"]
	if !ok {
		return record{}, "required key modelInput not found"
	}
	if t := bytes.TrimSpace(mi); len(t) == 0 || t[0] != '{' {
		return record{}, "modelInput is not a JSON object"
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, mi); err != nil {
		return record{}, "modelInput is not valid JSON"
	}
	rec := record{modelInput: compact.Bytes()}
	id, ok := obj["recordId"]
	if t := bytes.TrimSpace(id); !ok || bytes.Equal(t, []byte("null")) {
		rec.id = e.generatedID(key, line)
		return rec, ""
	}
	rec.id = compactJSON(id)
	return rec, ""
}
