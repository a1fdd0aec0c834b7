package bedrockemu

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"recordId":"r1","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[]}}`))
	f.Add([]byte(`{"modelInput":{}}`))
	f.Add([]byte(`{"recordId":7,"modelInput":{"inputText":"x"}}`))
	f.Add([]byte(`{"recordId":"r","modelInput":{`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(" {\"recordId\" : {\"a\": [1, 2]},\n\"model\\u0049nput\":{ \"x\" : \"a b\" }, \"modelInput\":{\"y\":null}}\r\n"))
	f.Add([]byte(`{"recordId":"caf\u00e9\"","modelInput":{"k":"\\"},"recordId":null}`))
	e, err := New(Config{S3: nopS3{}})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, reason := e.parseRecord(line, "in/a.jsonl", 1)
		slow, slowReason := e.parseRecordSlow(line, "in/a.jsonl", 1)
		if reason != slowReason || !bytes.Equal(rec.id, slow.id) || !bytes.Equal(rec.modelInput, slow.modelInput) {
			t.Fatalf("fast parse (%q, %q, %q) differs from encoding/json's (%q, %q, %q)", reason, rec.id, rec.modelInput, slowReason, slow.id, slow.modelInput)
		}
		if reason != "" {
			if bytes.Contains([]byte(reason), line) && len(line) > 8 {
				t.Fatalf("reason %q echoes the line", reason)
			}
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(rec.modelInput, &obj); err != nil || obj == nil {
			t.Fatalf("accepted modelInput %q is not a JSON object", rec.modelInput)
		}
		if !json.Valid(rec.id) || rec.recordID() == "" && string(rec.id) != `""` {
			t.Fatalf("accepted recordId raw %q, string %q", rec.id, rec.recordID())
		}
		var s string
		if json.Unmarshal(rec.id, &s) == nil && s != rec.recordID() {
			t.Fatalf("recordId %q reads as %q, want %q", rec.id, rec.recordID(), s)
		}
		out := appendLine(nil, &rec, lineModelOutput, []byte(`{}`))
		if !json.Valid(out) || bytes.Count(out, []byte("\n")) != 1 || len(out) != lineLen(&rec, lineModelOutput, []byte(`{}`)) {
			t.Fatalf("output line %q is not one JSON line of the announced length", out)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(&job{seq: 3}))
	f.Add("bm90LWEtdG9rZW4")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if ok && encodeCursor(c) == "" {
			t.Fatalf("decoded cursor %q does not encode", s)
		}
	})
}

func FuzzUsage(f *testing.F) {
	f.Add([]byte(`{"id":"msg_1","type":"message","usage":{"input_tokens":12,"output_tokens":7}}`))
	f.Add([]byte(`{"output":{},"usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7}}`))
	f.Add([]byte(`{"inputTextTokenCount":5,"results":[{"tokenCount":2},{"tokenCount":3}]}`))
	f.Add([]byte(`{"prompt_token_count":9,"generation_token_count":1,"Usage":null}`))
	f.Add([]byte(`{"usage":{"INPUT_TOKENS":1.5},"usage":{"input_tokens":2}}`))
	f.Add([]byte(`{"usage":{"input_tokens":1,"Input_Tokens":null},"prompt_token_count":99999999999999999999}`))
	f.Add([]byte(`[{"usage":{}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var b bytes.Buffer
		if json.Compact(&b, body) != nil {
			return
		}
		in, out := usage(b.Bytes())
		wantIn, wantOut := usageSlow(b.Bytes())
		if in != wantIn || out != wantOut {
			t.Fatalf("usage(%s) = %d, %d; the typed decode reads %d, %d", b.Bytes(), in, out, wantIn, wantOut)
		}
	})
}

func FuzzJSONScan(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-2.5e+3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{}}`,
		" [ {} , [] ] \n", `{"a" : 1 }`, `01`, `-`, `1.`, `1e`, `"\u12"`, `"` + "\x01" + `"`, `{"a":1,}`, `[1 2]`,
		`{"a"}`, `nul`, `"\xff"`, strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		valid, compact := jsonScan(b)
		if valid != json.Valid(b) {
			t.Fatalf("jsonScan(%q) valid = %v, json.Valid says %v", b, valid, !valid)
		}
		if !valid {
			return
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			t.Fatalf("compact %q: %v", b, err)
		}
		if compact != bytes.Equal(c.Bytes(), b) {
			t.Fatalf("jsonScan(%q) compact = %v, json.Compact gives %q", b, compact, c.Bytes())
		}
	})
}
