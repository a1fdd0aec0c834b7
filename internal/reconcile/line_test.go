package reconcile_test

import (
	"encoding/json"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/reconcile"
)

func TestParseOutputLine(t *testing.T) {
	cases := []struct {
		name     string
		line     string
		recordID string
		output   string
		err      *reconcile.RecordError
	}{
		{"success", `{"recordId":"a1","modelInput":{"messages":[{"role":"user","content":"hi \"there\" }{"}]},"modelOutput":{"content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"output_tokens":1}}}`,
			"a1", `{"content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":3,"output_tokens":1}}`, nil},
		{"error number", `{"recordId":"b2","modelInput":{},"error":{"errorCode":400,"errorMessage":"Malformed input request"}}`,
			"b2", "", &reconcile.RecordError{Code: "400", Message: "Malformed input request"}},
		{"error string", `{"recordId":"b3","error":{"errorCode":"ThrottlingException","errorMessage":"slow down"}}`,
			"b3", "", &reconcile.RecordError{Code: "ThrottlingException", Message: "slow down"}},
		{"error without code", `{"recordId":"b4","error":{"errorMessage":"x"}}`, "b4", "", &reconcile.RecordError{Message: "x"}},
		{"error and output", `{"recordId":"b5","modelOutput":{"a":1},"error":{"errorCode":500}}`, "b5", "", &reconcile.RecordError{Code: "500"}},
		{"numeric recordId", `{"recordId":12345,"modelOutput":{}}`, "12345", `{}`, nil},
		{"escaped recordId", `{"recordId":"\u0061b","modelOutput":{}}`, "ab", `{}`, nil},
		{"whitespace", " \t{ \"modelOutput\" : { } , \"recordId\" : \"c\" } ", "c", `{ }`, nil},
		{"null error ignored", `{"recordId":"d","error":null,"modelOutput":{"x":[1,2,{"y":null}]}}`, "d", `{"x":[1,2,{"y":null}]}`, nil},
		{"escaped key", `{"record\u0049d":"e","modelOutput":{}}`, "e", `{}`, nil},
		{"unicode", `{"recordId":"f","modelOutput":{"t":"日本語 ✓"}}`, "f", `{"t":"日本語 ✓"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := reconcile.ParseOutputLine([]byte(c.line))
			if err != nil {
				t.Fatal(err)
			}
			if got.RecordID != c.recordID || string(got.ModelOutput) != c.output {
				t.Errorf("got recordId %q output %s, want %q %s", got.RecordID, got.ModelOutput, c.recordID, c.output)
			}
			switch {
			case c.err == nil && got.Error != nil:
				t.Errorf("error = %+v, want none", got.Error)
			case c.err != nil && (got.Error == nil || *got.Error != *c.err):
				t.Errorf("error = %+v, want %+v", got.Error, c.err)
			}
		})
	}
}

func TestParseOutputLineRejects(t *testing.T) {
	cases := map[string]string{
		"not json":            `hello`,
		"array":               `["recordId"]`,
		"truncated":           `{"recordId":"a","modelOutput":{"content":[`,
		"no recordId":         `{"modelOutput":{}}`,
		"empty recordId":      `{"recordId":"","modelOutput":{}}`,
		"recordId object":     `{"recordId":{"a":1},"modelOutput":{}}`,
		"recordId bad number": `{"recordId":12ab,"modelOutput":{}}`,
		"neither":             `{"recordId":"a","modelInput":{}}`,
		"output not object":   `{"recordId":"a","modelOutput":"text"}`,
		"output invalid":      `{"recordId":"a","modelOutput":{"a":tru}}`,
		"error not object":    `{"recordId":"a","error":"bad"}`,
		"errorCode object":    `{"recordId":"a","error":{"errorCode":{"n":1}}}`,
		"trailing data":       `{"recordId":"a","modelOutput":{}} x`,
		"missing colon":       `{"recordId" "a"}`,
		"unterminated string": `{"recordId":"a`,
		"mismatched brackets": `{"recordId":"a","modelInput":{"x":[1,2}],"modelOutput":{}}`,
		"python quotes":       `{'recordId': 'a', 'modelOutput': {}}`,
		"missing value":       `{"recordId":,"modelOutput":{}}`,
		"bad escape in id":    `{"recordId":"\x","modelOutput":{}}`,
		"two objects":         `{"recordId":"a","modelOutput":{}}{"recordId":"b"}`,
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			if got, err := reconcile.ParseOutputLine([]byte(line)); err == nil {
				t.Fatalf("parsed %+v, want an error", got)
			}
		})
	}
}

// FuzzParseOutputLine checks that no line crashes the parser, that it accepts only valid JSON,
// and that what it accepts keeps the parser's promises. Corpus: testdata/fuzz/FuzzParseOutputLine.
func FuzzParseOutputLine(f *testing.F) {
	f.Add([]byte(`{"recordId":"a1","modelInput":{"x":"}"},"modelOutput":{"usage":{"input_tokens":1,"output_tokens":2}}}`))
	f.Add([]byte(`{"recordId":7,"error":{"errorCode":"429","errorMessage":"slow"}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		got, err := reconcile.ParseOutputLine(line)
		if err != nil {
			return
		}
		if got.RecordID == "" {
			t.Fatal("accepted a line without a recordId")
		}
		if (got.Error == nil) == (got.ModelOutput == nil) {
			t.Fatalf("want exactly one of error and modelOutput, got %+v", got)
		}
		if got.ModelOutput != nil && !json.Valid(got.ModelOutput) {
			t.Fatalf("modelOutput is not valid JSON: %q", got.ModelOutput)
		}
		if !json.Valid(line) {
			t.Fatalf("accepted a line that is not valid JSON: %q", line)
		}
	})
}
