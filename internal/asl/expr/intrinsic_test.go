package expr

import (
	"regexp"
	"strings"
	"testing"
)

// intrinsicInput gathers the inputs of the intrinsic-functions documentation examples.
const intrinsicInput = `{
  "name": "Arnav",
  "template": "Hello, my name is {}.",
  "escapedJsonString": "{\"foo\": \"bar\"}",
  "unescapedJson": {"foo": "bar"},
  "Id": 123456,
  "inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9],
  "dupArray": [1, 2, 3, 3, 3, 3, 3, 3, 4],
  "objArray": [{"a": 1}, {"a": 1.0}, {"a": 2}],
  "lookingFor": 5,
  "index": 5,
  "input": "Data to encode",
  "base64": "RGF0YSB0byBlbmNvZGU=",
  "Data": "input data",
  "Algorithm": "SHA-1",
  "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
  "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
  "start": 1,
  "end": 999,
  "value1": 111,
  "step": -1,
  "inputString": "1,2,3,4,5",
  "splitter": ",",
  "inputString2": "This.is+a,test=string",
  "splitter2": ".+,=",
  "html": "<a & b>",
  "list": ["x", "y"],
  "obj": {"k": "v", "n": 1},
  "nothing": null,
  "flag": true,
  "half": 2.5,
  "negHalf": -2.5
}`

func TestEval(t *testing.T) {
	input := decode(t, intrinsicInput)
	ctx := decode(t, `{"Execution": {"Name": "exec-1"}, "Map": {"Item": {"Index": 3}}}`)
	tests := []struct {
		name, call, want string
	}{
		// States.Format
		{"format literal template", `States.Format('Hello, my name is {}.', $.name)`, `"Hello, my name is Arnav."`},
		{"format path template", `States.Format($.template, $.name)`, `"Hello, my name is Arnav."`},
		{"format no placeholders", `States.Format('plain')`, `"plain"`},
		{"format escaped braces", `States.Format('\{\} {} \{x\}', $.name)`, `"{} Arnav {x}"`},
		{"format escaped quote and backslash", `States.Format('it\'s {} \\ ok', $.name)`, `"it's Arnav \\ ok"`},
		{"format number bool null", `States.Format('{} {} {} {}', 12.50, $.flag, null, $.Id)`, `"12.50 true null 123456"`},
		{"format array and object", `States.Format('{} {}', $.list, $.obj)`, `"[x, y] {k=v, n=1}"`},
		{"format context", `States.Format('{}-{}', $$.Execution.Name, $$.Map.Item.Index)`, `"exec-1-3"`},
		{"format nested call", `States.Format('n={}', States.ArrayLength($.inputArray))`, `"n=9"`},
		{"format spaces around args", `States.Format( '{}' ,  $.name )`, `"Arnav"`},
		{"format comma and paren in literal", `States.Format('a, b) {}', 'c')`, `"a, b) c"`},
		// JSON
		{"string to json", `States.StringToJson($.escapedJsonString)`, `{"foo": "bar"}`},
		{"string to json literal", `States.StringToJson('[1, 2.50]')`, `[1, 2.50]`},
		{"json to string", `States.JsonToString($.unescapedJson)`, `"{\"foo\":\"bar\"}"`},
		{"json to string keeps html", `States.JsonToString($.html)`, `"\"<a & b>\""`},
		{"json merge shallow", `States.JsonMerge($.json1, $.json2, false)`, `{"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}`},
		// Arrays
		{"array", `States.Array($.Id)`, `[123456]`},
		{"array mixed", `States.Array('a', 1, true, null, $.list)`, `["a", 1, true, null, ["x", "y"]]`},
		{"array empty", `States.Array()`, `[]`},
		{"array partition", `States.ArrayPartition($.inputArray, 4)`, `[[1, 2, 3, 4], [5, 6, 7, 8], [9]]`},
		{"array partition larger chunk", `States.ArrayPartition($.inputArray, 100)`, `[[1, 2, 3, 4, 5, 6, 7, 8, 9]]`},
		{"array partition empty", `States.ArrayPartition(States.Array(), 2)`, `[]`},
		{"array contains", `States.ArrayContains($.inputArray, $.lookingFor)`, `true`},
		{"array contains missing", `States.ArrayContains($.inputArray, 10)`, `false`},
		{"array contains object", `States.ArrayContains($.objArray, $.json2.a)`, `false`},
		{"array range", `States.ArrayRange(1, 9, 2)`, `[1, 3, 5, 7, 9]`},
		{"array range down", `States.ArrayRange(10, 0, -5)`, `[10, 5, 0]`},
		{"array range away", `States.ArrayRange(1, 9, -1)`, `[]`},
		{"array range single", `States.ArrayRange(3, 3, 1)`, `[3]`},
		{"array range 1000", `States.ArrayLength(States.ArrayRange(1, 1000, 1))`, `1000`},
		{"array get item", `States.ArrayGetItem($.inputArray, $.index)`, `6`},
		{"array length", `States.ArrayLength($.inputArray)`, `9`},
		{"array unique", `States.ArrayUnique($.dupArray)`, `[1, 2, 3, 4]`},
		{"array unique numbers by value", `States.ArrayUnique($.objArray)`, `[{"a": 1}, {"a": 2}]`},
		// Encoding and hashing
		{"base64 encode", `States.Base64Encode($.input)`, `"RGF0YSB0byBlbmNvZGU="`},
		{"base64 decode", `States.Base64Decode($.base64)`, `"Data to encode"`},
		{"base64 decode no padding", `States.Base64Decode('RGF0YSB0byBlbmNvZGU')`, `"Data to encode"`},
		{"hash sha1", `States.Hash($.Data, $.Algorithm)`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"hash md5", `States.Hash($.Data, 'MD5')`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{"hash sha256", `States.Hash($.Data, 'SHA-256')`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"hash sha384", `States.Hash($.Data, 'SHA-384')`, `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{"hash sha512", `States.Hash($.Data, 'SHA-512')`, `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{"hash empty", `States.Hash('', 'MD5')`, `"d41d8cd98f00b204e9800998ecf8427e"`},
		// Math
		{"math add", `States.MathAdd($.value1, $.step)`, `110`},
		{"math add rounds half up", `States.MathAdd($.half, 0)`, `3`},
		{"math add rounds negative half up", `States.MathAdd($.negHalf, 0)`, `-2`},
		{"math random seeded", `States.MathRandom(5, 5, 7)`, `5`},
		// Strings
		{"string split", `States.StringSplit($.inputString, $.splitter)`, `["1", "2", "3", "4", "5"]`},
		{"string split char set", `States.StringSplit($.inputString2, $.splitter2)`, `["This", "is", "a", "test", "string"]`},
		{"string split drops empties", `States.StringSplit(',a,,b,', ',')`, `["a", "b"]`},
		{"string split no delimiter found", `States.StringSplit('abc', ';')`, `["abc"]`},
		// Paths with brackets and filters as arguments
		{"bracket path arg", `States.Array($['name'], $.inputArray[0])`, `["Arnav", 1]`},
		{"filter path arg", `States.ArrayLength($.inputArray[?(@ > 6)])`, `3`},
		{"deeply nested", `States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit('a/b.c/d', '/'), 1), '.'), 1)`, `"c"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !IsIntrinsic(tc.call) {
				t.Errorf("IsIntrinsic(%q) = false", tc.call)
			}
			got, err := Eval(tc.call, input, ctx)
			if err != nil {
				t.Fatalf("Eval(%q): %v", tc.call, err)
			}
			wantJSON(t, got, tc.want)
		})
	}
}

func TestEvalErrors(t *testing.T) {
	input := decode(t, intrinsicInput)
	long := strings.Repeat("x", 10_001)
	input.(map[string]any)["long"] = long
	input.(map[string]any)["emoji"] = strings.Repeat("\U0001F600", 5001) // 5,001 runes, 10,002 UTF-16 units
	tests := []struct {
		name, call, errName, cause string
	}{
		{"format too few values", `States.Format('{} {}', 'a')`, ErrIntrinsicFailure, "more {} placeholders"},
		{"format too many values", `States.Format('{}', 'a', 'b')`, ErrIntrinsicFailure, "1 {} placeholders but 2"},
		{"format lone brace", `States.Format('a { b')`, ErrIntrinsicFailure, "unescaped '{'"},
		{"format lone closing brace", `States.Format('a } b')`, ErrIntrinsicFailure, "unescaped '}'"},
		{"format template not string", `States.Format(1)`, ErrIntrinsicFailure, "must be a string"},
		{"string to json invalid", `States.StringToJson('{x')`, ErrIntrinsicFailure, "not valid JSON"},
		{"string to json trailing", `States.StringToJson('1 2')`, ErrIntrinsicFailure, "data after"},
		{"string to json empty", `States.StringToJson('')`, ErrIntrinsicFailure, "not valid JSON"},
		{"string to json not string", `States.StringToJson($.Id)`, ErrIntrinsicFailure, "must be a string, got number"},
		{"json merge deep", `States.JsonMerge($.json1, $.json2, true)`, ErrIntrinsicFailure, "deep merge is not supported"},
		{"json merge not object", `States.JsonMerge($.json1, $.list, false)`, ErrIntrinsicFailure, "argument 2 must be an object"},
		{"json merge flag not bool", `States.JsonMerge($.json1, $.json2, 'false')`, ErrIntrinsicFailure, "must be a boolean"},
		{"partition zero", `States.ArrayPartition($.inputArray, 0)`, ErrIntrinsicFailure, "positive"},
		{"partition not array", `States.ArrayPartition($.name, 2)`, ErrIntrinsicFailure, "must be an array"},
		{"partition fraction", `States.ArrayPartition($.inputArray, 1.5)`, ErrIntrinsicFailure, "must be an integer"},
		{"range step zero", `States.ArrayRange(1, 9, 0)`, ErrIntrinsicFailure, "must not be 0"},
		{"range too long", `States.ArrayRange(1, 1001, 1)`, ErrIntrinsicFailure, "1001 items"},
		{"range not integer", `States.ArrayRange(1, 'x', 1)`, ErrIntrinsicFailure, "argument 2 must be an integer"},
		{"get item out of range", `States.ArrayGetItem($.inputArray, 9)`, ErrIntrinsicFailure, "outside the array of 9"},
		{"get item negative", `States.ArrayGetItem($.inputArray, -1)`, ErrIntrinsicFailure, "outside"},
		{"length not array", `States.ArrayLength($.obj)`, ErrIntrinsicFailure, "got object"},
		{"base64 encode too long", `States.Base64Encode($.long)`, ErrIntrinsicFailure, "10001 characters"},
		{"base64 decode too long", `States.Base64Decode($.long)`, ErrIntrinsicFailure, "10001 characters"},
		{"base64 decode invalid", `States.Base64Decode('***')`, ErrIntrinsicFailure, "not base64"},
		{"base64 decode not utf8", `States.Base64Decode('/w==')`, ErrIntrinsicFailure, "not UTF-8"},
		{"hash too long", `States.Hash($.long, 'MD5')`, ErrIntrinsicFailure, "10001 characters"},
		{"limit counts UTF-16 units", `States.Base64Encode($.emoji)`, ErrIntrinsicFailure, "10002 characters"},
		{"hash unknown algorithm", `States.Hash('x', 'sha-256')`, ErrIntrinsicFailure, "unsupported algorithm"},
		{"hash not string", `States.Hash($.obj, 'MD5')`, ErrIntrinsicFailure, "must be a string"},
		{"math add not number", `States.MathAdd('1', 2)`, ErrIntrinsicFailure, "must be an integer, got string"},
		{"math add overflow", `States.MathAdd(9223372036854775807, 1)`, ErrIntrinsicFailure, "overflows"},
		{"math random start after end", `States.MathRandom(5, 1)`, ErrIntrinsicFailure, "greater than end"},
		{"split not string", `States.StringSplit($.Id, ',')`, ErrIntrinsicFailure, "must be a string"},
		{"path selects nothing", `States.Array($.missing)`, ErrRuntime, "No results for path: $['missing']"},
		{"context path selects nothing", `States.Array($$.Task.Token)`, ErrRuntime, "'$$.Task.Token'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Validate(tc.call); err != nil {
				t.Fatalf("Validate(%q) = %v; runtime errors must pass validation", tc.call, err)
			}
			got, err := Eval(tc.call, input, nil)
			if err == nil {
				t.Fatalf("Eval(%q) = %v, want an error", tc.call, got)
			}
			wantError(t, err, tc.errName, tc.cause)
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, call, cause string
	}{
		{"unknown function", `States.Nope(1)`, `unknown intrinsic function "States.Nope"`},
		{"unknown nested function", `States.Array(States.Nope())`, `unknown intrinsic function "States.Nope"`},
		{"lowercase name", `states.Array()`, "unknown intrinsic function"},
		{"too few args", `States.ArrayGetItem($.a)`, "takes 2 arguments, got 1"},
		{"too many args", `States.UUID(1)`, "takes 0 arguments, got 1"},
		{"math random arity", `States.MathRandom(1, 2, 3, 4)`, "takes 2 to 3 arguments"},
		{"format needs template", `States.Format()`, "at least 1 arguments"},
		{"json to string literal", `States.JsonToString('{}')`, "takes a path"},
		{"open escape", `States.Format('a\nb')`, "open escape backslash"},
		{"unterminated string", `States.Format('abc)`, "unterminated string"},
		{"missing paren", `States.Array(1, 2`, "missing ')'"},
		{"trailing text", `States.Array() x`, "after the closing ')'"},
		{"missing argument", `States.Array(1, )`, "unexpected ')'"},
		{"bad path", `States.Array($.a[)`, "bad path argument"},
		{"path ending in an escape", `States.Array($["a\`, "bad path argument"},
		{"bad number", `States.Array(1.2.3)`, "bad number"},
		{"double quotes", `States.Format("x")`, `unexpected '"'`},
		{"too deep", strings.Repeat("States.Array(", 11) + strings.Repeat(")", 11), "more than 10 nested"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.call)
			if err == nil {
				t.Fatalf("Validate(%q) accepted an invalid call", tc.call)
			}
			wantError(t, err, ErrIntrinsicFailure, tc.cause)
			if _, err := Eval(tc.call, map[string]any{}, nil); err == nil {
				t.Errorf("Eval accepted what Validate rejects")
			}
		})
	}
	if err := Validate(strings.Repeat("States.Array(", 10) + strings.Repeat(")", 10)); err != nil {
		t.Errorf("10 nested calls: %v", err)
	}
}

func TestIsIntrinsic(t *testing.T) {
	for s, want := range map[string]bool{
		"States.Array()":      true,
		"  States.UUID()":     true,
		"States.Nope(1)":      true,
		"Custom.Fn(1)":        true,
		"$.a":                 false,
		"$$.Execution.Id":     false,
		"$.a[?(@.x == f(1))]": false,
		"States.Format":       false,
		"plain string":        false,
		"":                    false,
	} {
		if got := IsIntrinsic(s); got != want {
			t.Errorf("IsIntrinsic(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestMathRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		v, err := Eval(`States.MathRandom(1, 3)`, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := canon(t, v)
		if n != "1" && n != "2" && n != "3" {
			t.Fatalf("MathRandom(1, 3) = %s, outside [1, 3]", n)
		}
		seen[n] = true
	}
	if len(seen) != 3 {
		t.Errorf("200 draws of MathRandom(1, 3) produced only %v", seen)
	}
	a, err := Eval(`States.MathRandom(1, 1000000, 42)`, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Eval(`States.MathRandom(1, 1000000, 42)`, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if canon(t, a) != canon(t, b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
}

func TestUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, err := Eval(`States.UUID()`, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Eval(`States.UUID()`, nil, nil)
	if s, _ := a.(string); !v4.MatchString(s) {
		t.Errorf("UUID %v is not a version 4 UUID", a)
	}
	if a == b {
		t.Errorf("two UUIDs are equal: %v", a)
	}
}
