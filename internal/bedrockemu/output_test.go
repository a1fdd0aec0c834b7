package bedrockemu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
)

// TestLinesBody reads an output body the ways an upload may: in small and odd-sized reads, after
// seeking back to the start, from the middle of a line, and to learn its size.
func TestLinesBody(t *testing.T) {
	j := &job{files: []inputFile{{}, {}}}
	for f := range j.files {
		for i := range 5 {
			j.files[f].records = append(j.files[f].records, record{
				id:         fmt.Appendf(nil, `"f%d-r%d"`, f, i),
				modelInput: fmt.Appendf(nil, `{"prompt":"%s"}`, bytes.Repeat([]byte("x"), 7*i)),
			})
			ok := i%2 == 0
			value := []byte(`{"errorCode":400,"errorMessage":"bad"}`)
			if ok {
				value = fmt.Appendf(nil, `{"generation":"%d"}`, i)
			}
			j.results = append(j.results, result{file: int32(f), index: int32(i), ok: ok, value: value})
		}
	}
	order := []int32{7, 2, 9, 0, 5}
	var want []byte
	for _, i := range order {
		r := &j.results[i]
		want = appendLine(want, &j.files[r.file].records[r.index], r.outputKey(), r.value)
	}

	body := newLinesBody(j, order)
	if body.size != int64(len(want)) {
		t.Fatalf("size = %d, want %d", body.size, len(want))
	}
	if end, err := body.Seek(0, io.SeekEnd); err != nil || end != int64(len(want)) {
		t.Fatalf("Seek(0, SeekEnd) = %d, %v; want %d", end, err, len(want))
	}
	for _, chunk := range []int{1, 3, 17, 64, 4096} {
		t.Run(fmt.Sprintf("reads of %d", chunk), func(t *testing.T) {
			if _, err := body.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var got []byte
			buf := make([]byte, chunk)
			for {
				n, err := body.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("body = %q\nwant   %q", got, want)
			}
		})
	}
	for _, at := range []int64{1, 40, int64(len(want)) - 2} {
		if _, err := body.Seek(at, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(body)
		if err != nil || !bytes.Equal(got, want[at:]) {
			t.Fatalf("read from %d = %q, %v; want %q", at, got, err, want[at:])
		}
	}
	if _, err := body.Seek(-1, io.SeekStart); err == nil {
		t.Fatalf("Seek(-1, SeekStart) succeeded")
	}
}

// TestOutputGolden pins the bytes of a job's output objects and manifest: compacted and echoed
// modelInput, recordIds given as strings, numbers and objects or generated, model output that
// needed compacting, model errors, invalid model output and record faults, in the shuffled
// order. The model is a stub so that only the emulator's format is pinned. Refresh with
// go test -run TestOutputGolden -update.
func TestOutputGolden(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		withFaults("record-retryable=0.2,record-permanent=0.1,seed=5")(c)
		c.Invoke = func(modelID, invocationType string, body []byte) ([]byte, error) {
			switch {
			case bytes.Contains(body, []byte("model-error")):
				return nil, &fakemodel.Error{Status: 400, Type: "ValidationException", Message: `Malformed input request: "quoted" <tag> & more`}
			case bytes.Contains(body, []byte("plain-error")):
				return nil, errors.New("connection reset")
			case bytes.Contains(body, []byte("not-json")):
				return []byte(`{"echo":`), nil
			}
			return fmt.Appendf(nil, "{ \"echo\" : %d,\n \"usage\": {\"input_tokens\": %d, \"output_tokens\": 3} }", len(body), len(body)/4), nil
		}
	})
	var b strings.Builder
	for i := range 120 {
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, `{"recordId":"id-%d","modelInput":{"prompt":"hello %d"}}`+"\n", i, i)
		case 1:
			fmt.Fprintf(&b, "  {\"modelInput\" : { \"prompt\":\"caf\\u00e9 <&> %d\",\t\"n\": [1, 2] } }\r\n", i)
		case 2:
			fmt.Fprintf(&b, `{"recordId":%d,"modelInput":{"prompt":"model-error %d"}}`+"\n\n", i, i)
		case 3:
			fmt.Fprintf(&b, `{"recordId":{"a": [1, 2]},"modelInput":{"prompt":"plain-error %d"},"extra":[true,null]}`+"\n", i)
		case 4:
			fmt.Fprintf(&b, `{"recordId":"caf\u00e9-%d","modelInput":{"prompt":"not-json %d"}}`+"\n", i, i)
		case 5:
			fmt.Fprintf(&b, `{"recordId":null,"modelInput":{"prompt":"\"quoted\" %d"},"recordId":"last-%d"}`+"\n", i, i)
		}
	}
	h.put(t, "in/a.jsonl", b.String())
	h.putRecords(t, "in/sub/b.jsonl", 30)
	arn := h.create(t, createInput("golden", "in/", "out/"))
	h.wait(t)
	if j := h.job(t, arn); j.Status != types.ModelInvocationJobStatusCompleted {
		t.Fatalf("status %s (%s), want Completed", j.Status, aws.ToString(j.Message))
	}
	prefix := "out/" + jobID(arn) + "/"
	for _, name := range []string{"a.jsonl.out", "sub/b.jsonl.out", "manifest.json.out"} {
		t.Run(name, func(t *testing.T) {
			got := h.get(t, prefix+name)
			path := filepath.Join("testdata", "golden", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatalf("update golden file: %v", err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s differs from %s:\n%s", name, path, got)
			}
		})
	}
}
