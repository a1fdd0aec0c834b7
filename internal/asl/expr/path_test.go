package expr

import (
	"testing"
)

// pathDoc is the store example from the Jayway JsonPath README, which the Step Functions paths
// documentation points to, plus a few members for the edge cases.
const pathDoc = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10,
  "a b": {"c-d": 1},
  "nil": null,
  "text": "plain",
  "nums": [1, 2, 3, 4, 5]
}`

func TestGet(t *testing.T) {
	doc := decode(t, pathDoc)
	tests := []struct {
		name, path, want string
	}{
		{"root", "$", pathDoc},
		{"member", "$.expensive", `10`},
		{"nested member", "$.store.bicycle.color", `"red"`},
		{"bracket member with space", "$['a b']['c-d']", `1`},
		{"double-quoted bracket", `$["a b"]`, `{"c-d": 1}`},
		{"dash in dot name", "$['a b'].c-d", `1`},
		{"null value", "$.nil", `null`},
		{"index", "$.store.book[0].author", `"Nigel Rees"`},
		{"negative index", "$.nums[-1]", `5`},
		{"negative index member", "$.store.book[-2].title", `"Moby Dick"`},
		{"wildcard array", "$.store.book[*].author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]`},
		{"wildcard skips missing leaf", "$.store.book[*].isbn", `["0-553-21311-3", "0-395-19395-8"]`},
		{"wildcard object in key order", "$.store.bicycle.*", `["red", 19.95]`},
		{"deep scan", "$..author", `["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]`},
		{"deep scan key order", "$.store..price", `[19.95, 8.95, 12.99, 8.99, 22.99]`},
		{"deep scan then index", "$..book[2].title", `["Moby Dick"]`},
		{"index list", "$.nums[0,2]", `[1, 3]`},
		{"slice", "$.nums[0:2]", `[1, 2]`},
		{"slice open start", "$.nums[:2]", `[1, 2]`},
		{"slice open end", "$.nums[3:]", `[4, 5]`},
		{"slice negative", "$.nums[-2:]", `[4, 5]`},
		{"slice past end", "$.nums[3:99]", `[4, 5]`},
		{"slice empty", "$.nums[4:2]", `[]`},
		{"filter equal string", "$.store.book[?(@.category == 'reference')].title", `["Sayings of the Century"]`},
		{"filter double quotes", `$.store.book[?(@.category == "reference")].price`, `[8.95]`},
		{"filter less than", "$.store.book[?(@.price < 10)].title", `["Sayings of the Century", "Moby Dick"]`},
		{"filter against root", "$.store.book[?(@.price > $.expensive)].price", `[12.99, 22.99]`},
		{"filter exists", "$.store.book[?(@.isbn)].author", `["Herman Melville", "J. R. R. Tolkien"]`},
		{"filter not exists", "$.store.book[?(!@.isbn)].author", `["Nigel Rees", "Evelyn Waugh"]`},
		{"filter and or", "$.store.book[?(@.category == 'fiction' && (@.price < 10 || @.price > 20))].title", `["Moby Dick", "The Lord of the Rings"]`},
		{"filter not equal", "$.nums[?(@ != 3)]", `[1, 2, 4, 5]`},
		{"filter number equality by value", "$.nums[?(@ == 2.0)]", `[2]`},
		{"filter regex", "$.store.book[?(@.author =~ /.*rees/i)].title", `["Sayings of the Century"]`},
		{"filter regex whole string", "$.store.book[?(@.author =~ /Rees/)].title", `[]`},
		{"filter mixed types never match", "$.store.book[?(@.price > 'a')]", `[]`},
		{"filter on object tests the object", "$.store.bicycle[?(@.color == 'red')].price", `[19.95]`},
		{"filter no match", "$.store.book[?(@.price > 100)]", `[]`},
		{"indefinite missing leaf is empty", "$.nums[*].x", `[]`},
		{"wildcard on a scalar is empty", "$.text.*", `[]`},
		{"filter below an indefinite step skips scalars", "$.nums[*][?(@ > 1)]", `[]`},
		{"deep scan no match", "$..nothing", `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Get(doc, tc.path)
			if err != nil {
				t.Fatalf("Get(%q): %v", tc.path, err)
			}
			wantJSON(t, got, tc.want)
		})
	}
}

func TestGetErrors(t *testing.T) {
	doc := decode(t, pathDoc)
	tests := []struct {
		name, path, cause string
	}{
		{"missing member", "$.nope", "No results for path: $['nope']"},
		{"missing nested member", "$.store.nope.x", "missing property in path $['store']['nope']"},
		{"missing leaf under object", "$.store.bicycle.size", "No results for path"},
		{"member of string", "$.text.x", "expected an object with property ['x']"},
		{"member of null", "$.nil.x", "found null"},
		{"index out of range", "$.nums[9]", "No results for path: $['nums'][9]"},
		{"index on object", "$.store[0]", "can only be applied to arrays"},
		{"wildcard under missing member", "$.nope[*]", "missing property in path $['nope']"},
		{"filter on a string", "$.text[?(@ == 1)]", "a filter cannot be applied to string at $['text']"},
		{"no dollar", "a.b", "must start with '$'"},
		{"trailing dot", "$.a.", "path ends with '.'"},
		{"unclosed bracket", "$.a[0", "expected ']'"},
		{"multi member", "$['a','b']", "not supported"},
		{"slice step", "$.a[0:4:2]", "not supported"},
		{"filter function", "$.a[?(@.length() > 1)]", "expected ')' closing the filter"},
		{"context path in Get", "$$.Execution.Id", "use Resolve"},
		{"space in dot name", "$.a b", "unexpected"},
		{"bad regex", "$.a[?(@ =~ /(/)]", "bad regex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Get(doc, tc.path)
			if err == nil {
				t.Fatalf("Get(%q) = %v, want an error", tc.path, got)
			}
			wantError(t, err, ErrRuntime, tc.cause)
		})
	}
}

func TestResolve(t *testing.T) {
	input := decode(t, `{"a": 1}`)
	ctx := decode(t, `{"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Index": 2}}}`)
	tests := []struct {
		name, path, want string
	}{
		{"input", "$.a", `1`},
		{"context", "$$.Execution.Id", `"arn:x"`},
		{"whole context", "$$", `{"Execution": {"Id": "arn:x"}, "Map": {"Item": {"Index": 2}}}`},
		{"map index", "$$.Map.Item.Index", `2`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.path, input, ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
		})
	}
	_, err := Resolve("$$.Task.Token", input, ctx)
	wantError(t, err, ErrRuntime, "'$$.Task.Token'")
}

func TestValidatePaths(t *testing.T) {
	for _, p := range []string{"$", "$$", "$.a", "$$.Map.Item.Value", "$.a[?(@.b == 1)]", "$..x"} {
		if err := ValidatePath(p); err != nil {
			t.Errorf("ValidatePath(%q): %v", p, err)
		}
	}
	for _, p := range []string{"", "a", "$.", "$[", "$$.["} {
		if err := ValidatePath(p); err == nil {
			t.Errorf("ValidatePath(%q) accepted an invalid path", p)
		}
	}
	for _, p := range []string{"$", "$.a", "$.a.b[0]", "$['x y'][-1]"} {
		if err := ValidateReferencePath(p); err != nil {
			t.Errorf("ValidateReferencePath(%q): %v", p, err)
		}
	}
	for _, p := range []string{"$.a[*]", "$..a", "$.a[0:1]", "$.a[?(@.x)]", "$$.Execution", "$.a[0,1]", "x"} {
		if err := ValidateReferencePath(p); err == nil {
			t.Errorf("ValidateReferencePath(%q) accepted a non-reference path", p)
		}
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name, doc, path, value, want string
	}{
		{"root replaces", `{"a": 1}`, "$", `{"b": 2}`, `{"b": 2}`},
		{"root replaces with scalar", `{"a": 1}`, "$", `"x"`, `"x"`},
		{"new member", `{"a": 1}`, "$.r", `5`, `{"a": 1, "r": 5}`},
		{"overwrite member", `{"a": 1}`, "$.a", `[1]`, `{"a": [1]}`},
		{"creates intermediates", `{"a": 1}`, "$.x.y.z", `true`, `{"a": 1, "x": {"y": {"z": true}}}`},
		{"into existing object", `{"a": {"k": 1}}`, "$.a.b", `2`, `{"a": {"k": 1, "b": 2}}`},
		{"bracket member", `{}`, "$['a b']", `1`, `{"a b": 1}`},
		{"array element", `{"a": [1, 2, 3]}`, "$.a[1]", `"x"`, `{"a": [1, "x", 3]}`},
		{"negative index", `{"a": [1, 2, 3]}`, "$.a[-1]", `9`, `{"a": [1, 2, 9]}`},
		{"member of array element", `{"a": [{"k": 1}]}`, "$.a[0].m", `2`, `{"a": [{"k": 1, "m": 2}]}`},
		{"null value", `{"a": 1}`, "$.r", `null`, `{"a": 1, "r": null}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := decode(t, tc.doc)
			before := canon(t, doc)
			got, err := Set(doc, tc.path, decode(t, tc.value))
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
			if after := canon(t, doc); after != before {
				t.Errorf("Set modified its input: %s became %s", before, after)
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name, doc, path, errName, cause string
	}{
		{"into string", `{"a": "s"}`, "$.a.b", ErrResultPathMatchFailure, "$['a'] is string, not an object"},
		{"into null", `{"a": null}`, "$.a.b", ErrResultPathMatchFailure, "is null"},
		{"root not object", `"text"`, "$.a", ErrResultPathMatchFailure, "$ is string"},
		{"root array", `[1]`, "$.a", ErrResultPathMatchFailure, "is array"},
		{"index past end", `{"a": [1]}`, "$.a[3]", ErrResultPathMatchFailure, "outside the array of 1"},
		{"index on missing", `{}`, "$.a[0]", ErrResultPathMatchFailure, "not an array"},
		{"index on object", `{"a": {}}`, "$.a[0]", ErrResultPathMatchFailure, "not an array"},
		{"not a reference path", `{}`, "$.a[*]", ErrRuntime, "Invalid reference path"},
		{"context path", `{}`, "$$.a", ErrRuntime, "context paths"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Set(decode(t, tc.doc), tc.path, "v")
			wantError(t, err, tc.errName, tc.cause)
		})
	}
}
