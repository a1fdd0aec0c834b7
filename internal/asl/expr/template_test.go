package expr

import (
	"testing"
)

func TestTemplate(t *testing.T) {
	input := decode(t, `{"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small", "material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}, "items": [1, 2]}`)
	ctx := decode(t, `{"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:m:e"}, "Map": {"Item": {"Index": 0, "Value": "v"}}}`)
	tests := []struct {
		name, tmpl, want string
	}{
		// The InputPath/Parameters documentation example.
		{"docs example", `{"comment": "Selecting what I care about.", "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability", "StaticValue": "foo"}}`,
			`{"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}}`},
		{"context object", `{"execution.$": "$$.Execution.Id", "index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"}`,
			`{"execution": "arn:aws:states:us-east-1:123456789012:execution:m:e", "index": 0, "value": "v"}`},
		{"intrinsic", `{"n.$": "States.ArrayLength($.items)", "s.$": "States.Format('{}-{}', $.product.sku, $$.Map.Item.Index)"}`, `{"n": 2, "s": "2317-0"}`},
		{"whole input", `{"all.$": "$"}`, `{"all": {"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small", "material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}, "items": [1, 2]}}`},
		{"static strings that look like paths", `{"p": "$.product", "f": "States.UUID()"}`, `{"p": "$.product", "f": "States.UUID()"}`},
		{"arrays recurse", `{"list": [{"sku.$": "$.product.sku"}, "$.x", 3, [{"c.$": "$.product.details.color"}]]}`, `{"list": [{"sku": "2317"}, "$.x", 3, [{"c": "blue"}]]}`},
		{"indefinite path gives array", `{"first.$": "$.items[0:1]"}`, `{"first": [1]}`},
		{"scalars and empty", `{"a": 1, "b": null, "c": true, "d": {}, "e": []}`, `{"a": 1, "b": null, "c": true, "d": {}, "e": []}`},
		{"top-level array", `[{"x.$": "$.items"}]`, `[{"x": [1, 2]}]`},
		{"top-level scalar", `"$.items"`, `"$.items"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := decode(t, tc.tmpl)
			before := canon(t, tmpl)
			if err := ValidateTemplate(tmpl); err != nil {
				t.Fatalf("ValidateTemplate: %v", err)
			}
			got, err := Template(tmpl, input, ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
			if canon(t, tmpl) != before {
				t.Errorf("Template modified the template")
			}
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	input := decode(t, `{"a": 1, "list": [1]}`)
	tests := []struct {
		name, tmpl, errName, cause string
		validates                  bool
	}{
		{"value not string", `{"x.$": 1}`, ErrRuntime, "field 'x.$' must be a path or an intrinsic function call, got number", false},
		{"value neither path nor call", `{"x.$": "hello"}`, ErrRuntime, `got "hello"`, false},
		{"key clash", `{"x": 1, "x.$": "$.a"}`, ErrRuntime, "field 'x' is given both", false},
		{"bad path", `{"x.$": "$.a["}`, ErrRuntime, "field 'x.$'", false},
		{"unknown intrinsic", `{"o": {"x.$": "States.Nope()"}}`, ErrIntrinsicFailure, "field 'o.x.$': invalid intrinsic", false},
		{"missing path", `{"o": {"x.$": "$.b"}}`, ErrRuntime, "The JSONPath '$.b' specified for the field 'o.x.$' could not be found in the input", true},
		{"missing context path", `{"x.$": "$$.Task.Token"}`, ErrRuntime, "The JSONPath '$$.Task.Token' specified for the field 'x.$'", true},
		{"definite prefix of indefinite path", `{"x.$": "$.nope[*]"}`, ErrRuntime, "The JSONPath '$.nope[*]'", true},
		{"intrinsic failure", `{"x.$": "States.ArrayGetItem($.list, 4)"}`, ErrIntrinsicFailure, "field 'x.$': States.ArrayGetItem: index 4", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := decode(t, tc.tmpl)
			verr := ValidateTemplate(tmpl)
			if tc.validates && verr != nil {
				t.Errorf("ValidateTemplate: %v", verr)
			}
			if !tc.validates {
				wantError(t, verr, tc.errName, tc.cause)
			}
			_, err := Template(tmpl, input, map[string]any{})
			wantError(t, err, tc.errName, tc.cause)
		})
	}
}
