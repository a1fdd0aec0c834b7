package expr

import "testing"

// BenchmarkTemplate measures a typical ItemSelector: two paths, a context path and an
// intrinsic call, evaluated once per Map item.
func BenchmarkTemplate(b *testing.B) {
	tmpl := decode(b, `{"key.$": "$.Key", "size.$": "$.Size", "index.$": "$$.Map.Item.Index", "name.$": "States.Format('{}-{}', $.Key, $$.Map.Item.Index)", "static": {"a": [1, 2]}}`)
	input := decode(b, `{"Key": "chunks/0001.jsonl", "Size": 1234, "Etag": "x"}`)
	ctx := decode(b, `{"Map": {"Item": {"Index": 7, "Value": {}}}, "Execution": {"Id": "e"}}`)
	for b.Loop() {
		if _, err := Template(tmpl, input, ctx); err != nil {
			b.Fatal(err)
		}
	}
}
