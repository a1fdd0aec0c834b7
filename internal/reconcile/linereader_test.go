package reconcile

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 40)
	in := "a\r\nbb\n\n  \t\n" + long + "\nccc\n" + long + "\nlast-without-newline"
	lr := &lineReader{br: bufio.NewReaderSize(strings.NewReader(in), 16), max: 20}
	want := []string{"a", "bb", "", "", "!", "ccc", "!", "last-without-newline"}
	for i, w := range want {
		line, err := lr.next()
		switch {
		case w == "!" && !errors.Is(err, errLineTooLong):
			t.Fatalf("line %d: err = %v, want errLineTooLong", i+1, err)
		case w != "!" && (err != nil || string(line) != w):
			t.Fatalf("line %d: %q, %v; want %q", i+1, line, err, w)
		}
	}
	if _, err := lr.next(); err != io.EOF {
		t.Fatalf("after the last line: err = %v, want EOF", err)
	}
}

func TestUsageView(t *testing.T) {
	cases := map[string]string{
		`{"content":[{"type":"text","text":"a \"usage\": {}"}],"usage":{"input_tokens":3,"output_tokens":1}}`: `{"usage":{"input_tokens":3,"output_tokens":1}}`,
		`{"embedding":[0.1,0.2],"inputTextTokenCount":7,"embeddingsByType":{"float":[0.1]}}`:                  `{"inputTextTokenCount":7}`,
		`{ "generation" : "x" , "prompt_token_count" : 2 , "generation_token_count" : 1 }`:                    `{"prompt_token_count":2,"generation_token_count":1}`,
		`{"inputTextTokenCount":1,"results":[{"tokenCount":2,"outputText":"y"}]}`:                             `{"inputTextTokenCount":1,"results":[{"tokenCount":2,"outputText":"y"}]}`,
		`{"embeddings":[[1,2]],"id":"z"}`: `{}`,
		`{}`:                              `{}`,
	}
	for body, want := range cases {
		if got := string(usageView(nil, []byte(body))); got != want {
			t.Errorf("usageView(%s) = %s, want %s", body, got, want)
		}
	}
}
