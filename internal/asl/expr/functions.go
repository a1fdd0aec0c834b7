package expr

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits Step Functions documents for the intrinsic functions.
const (
	maxRangeItems  = 1000   // States.ArrayRange result length
	maxEncodeChars = 10_000 // States.Base64Encode input, States.Base64Decode input, States.Hash data
)

// function describes one intrinsic: its arity (maxArgs < 0 means variadic), whether its only
// argument must be written as a path, and its evaluation over already-evaluated arguments.
type function struct {
	minArgs, maxArgs int
	pathArg          bool
	eval             func(c *call, args []any) (any, error)
}

func (f *function) arity() string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs && f.minArgs == 1:
		return "1 argument"
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

var functions = map[string]*function{
	"States.Format":         {minArgs: 1, maxArgs: -1, eval: fnFormat},
	"States.StringToJson":   {minArgs: 1, maxArgs: 1, eval: fnStringToJSON},
	"States.JsonToString":   {minArgs: 1, maxArgs: 1, pathArg: true, eval: fnJSONToString},
	"States.Array":          {minArgs: 0, maxArgs: -1, eval: fnArray},
	"States.ArrayPartition": {minArgs: 2, maxArgs: 2, eval: fnArrayPartition},
	"States.ArrayContains":  {minArgs: 2, maxArgs: 2, eval: fnArrayContains},
	"States.ArrayRange":     {minArgs: 3, maxArgs: 3, eval: fnArrayRange},
	"States.ArrayGetItem":   {minArgs: 2, maxArgs: 2, eval: fnArrayGetItem},
	"States.ArrayLength":    {minArgs: 1, maxArgs: 1, eval: fnArrayLength},
	"States.ArrayUnique":    {minArgs: 1, maxArgs: 1, eval: fnArrayUnique},
	"States.Base64Encode":   {minArgs: 1, maxArgs: 1, eval: fnBase64Encode},
	"States.Base64Decode":   {minArgs: 1, maxArgs: 1, eval: fnBase64Decode},
	"States.Hash":           {minArgs: 2, maxArgs: 2, eval: fnHash},
	"States.JsonMerge":      {minArgs: 3, maxArgs: 3, eval: fnJSONMerge},
	"States.MathRandom":     {minArgs: 2, maxArgs: 3, eval: fnMathRandom},
	"States.MathAdd":        {minArgs: 2, maxArgs: 2, eval: fnMathAdd},
	"States.StringSplit":    {minArgs: 2, maxArgs: 2, eval: fnStringSplit},
	"States.UUID":           {minArgs: 0, maxArgs: 0, eval: fnUUID},
}

func stringArg(args []any, i int) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("argument %d must be a string, got %s", i+1, typeName(args[i]))
	}
	return s, nil
}

func arrayArg(args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, fmt.Errorf("argument %d must be an array, got %s", i+1, typeName(args[i]))
	}
	return a, nil
}

func objectArg(args []any, i int) (map[string]any, error) {
	m, ok := args[i].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("argument %d must be an object, got %s", i+1, typeName(args[i]))
	}
	return m, nil
}

// intArg reads argument i as an int64. With round, a non-integer is rounded half up the way
// Java's Math.round does (Step Functions documents rounding for MathAdd and MathRandom);
// without it a non-integer is an error.
func intArg(args []any, i int, round bool) (int64, error) {
	r, ok := toRat(args[i])
	if !ok {
		return 0, fmt.Errorf("argument %d must be an integer, got %s", i+1, typeName(args[i]))
	}
	if !r.IsInt() {
		if !round {
			return 0, fmt.Errorf("argument %d must be an integer, got %s", i+1, r.FloatString(6))
		}
		half := new(big.Rat).Add(r, big.NewRat(1, 2))
		r = new(big.Rat).SetInt(new(big.Int).Div(half.Num(), half.Denom()))
	}
	if !r.Num().IsInt64() {
		return 0, fmt.Errorf("argument %d is out of the integer range", i+1)
	}
	return r.Num().Int64(), nil
}

func number(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func fnFormat(c *call, args []any) (any, error) {
	tmpl, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	values := args[1:]
	var out strings.Builder
	used := 0
	placeholder := func() error {
		if used >= len(values) {
			return fmt.Errorf("the template has more {} placeholders than the %d values given", len(values))
		}
		out.WriteString(formatValue(values[used]))
		used++
		return nil
	}
	if c.args[0].kind == argString {
		// A literal template keeps its escapes: \{ and \} are literal braces, {} a placeholder.
		raw := c.args[0].raw
		for i := 0; i < len(raw); i++ {
			switch ch := raw[i]; ch {
			case '\\':
				i++
				out.WriteByte(raw[i])
			case '{':
				if i+1 >= len(raw) || raw[i+1] != '}' {
					return nil, fmt.Errorf("unescaped '{' at offset %d of the template (write \\{ for a literal brace)", i)
				}
				i++
				if err := placeholder(); err != nil {
					return nil, err
				}
			case '}':
				return nil, fmt.Errorf("unescaped '}' at offset %d of the template (write \\} for a literal brace)", i)
			default:
				out.WriteByte(ch)
			}
		}
	} else {
		// A template taken from a path or a nested call is data: only {} is special.
		parts := strings.Split(tmpl, "{}")
		for i, part := range parts {
			if i > 0 {
				if err := placeholder(); err != nil {
					return nil, err
				}
			}
			out.WriteString(part)
		}
	}
	if used != len(values) {
		return nil, fmt.Errorf("the template has %d {} placeholders but %d values were given", used, len(values))
	}
	return out.String(), nil
}

// formatValue renders a States.Format value the way Step Functions (a Java service) does:
// strings unquoted, numbers and booleans as written, null as "null", arrays as "[a, b]" and
// objects as "{k=v, k2=v2}" (members in key order here; Step Functions keeps input order).
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+"="+formatValue(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case json.Number:
		return string(x)
	}
	if r, ok := toRat(v); ok {
		if r.IsInt() {
			return r.Num().String()
		}
		f, _ := r.Float64()
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func fnStringToJSON(_ *call, args []any) (any, error) {
	s, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("argument is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("argument has data after the JSON value")
	}
	return v, nil
}

func fnJSONToString(_ *call, args []any) (any, error) {
	s, err := marshalJSON(args[0])
	if err != nil {
		return nil, fmt.Errorf("argument cannot be serialised: %v", err)
	}
	return s, nil
}

func fnArray(_ *call, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

func fnArrayPartition(_ *call, args []any) (any, error) {
	a, err := arrayArg(args, 0)
	if err != nil {
		return nil, err
	}
	size, err := intArg(args, 1, false)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, fmt.Errorf("chunk size must be a positive integer, got %d", size)
	}
	step := int(min(size, int64(len(a)+1)))
	out := []any{}
	for start := 0; start < len(a); start += step {
		end := min(len(a), start+step)
		chunk := make([]any, end-start)
		copy(chunk, a[start:end])
		out = append(out, chunk)
	}
	return out, nil
}

func fnArrayContains(_ *call, args []any) (any, error) {
	a, err := arrayArg(args, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if equalValues(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(_ *call, args []any) (any, error) {
	var n [3]int64
	for i := range n {
		v, err := intArg(args, i, false)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, fmt.Errorf("the step (argument 3) must not be 0")
	}
	count := 0.0
	if (step > 0 && start <= end) || (step < 0 && start >= end) {
		count = math.Floor(float64(end-start)/float64(step)) + 1
	}
	if count > maxRangeItems {
		return nil, fmt.Errorf("the range has %.0f items, more than the limit of %d", count, maxRangeItems)
	}
	out := make([]any, 0, int(count))
	for i := range int64(count) {
		out = append(out, number(start+i*step))
	}
	return out, nil
}

func fnArrayGetItem(_ *call, args []any) (any, error) {
	a, err := arrayArg(args, 0)
	if err != nil {
		return nil, err
	}
	i, err := intArg(args, 1, false)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, fmt.Errorf("index %d is outside the array of %d items", i, len(a))
	}
	return a[i], nil
}

func fnArrayLength(_ *call, args []any) (any, error) {
	a, err := arrayArg(args, 0)
	if err != nil {
		return nil, err
	}
	return number(int64(len(a))), nil
}

func fnArrayUnique(_ *call, args []any) (any, error) {
	a, err := arrayArg(args, 0)
	if err != nil {
		return nil, err
	}
	out := []any{}
next:
	for _, e := range a {
		for _, seen := range out {
			if equalValues(e, seen) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// checkLength enforces the documented 10,000-character limit, counting characters as Java does
// (UTF-16 code units), since Step Functions runs on Java.
func checkLength(s string) error {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	if n > maxEncodeChars {
		return fmt.Errorf("input has %d characters, more than the limit of %d", n, maxEncodeChars)
	}
	return nil
}

func fnBase64Encode(_ *call, args []any) (any, error) {
	s, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	if err := checkLength(s); err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(_ *call, args []any) (any, error) {
	s, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	if err := checkLength(s); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Java's basic decoder, which Step Functions runs on, accepts missing padding.
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("argument is not base64: %v", err)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("decoded data is not UTF-8 text")
	}
	return string(b), nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func fnHash(_ *call, args []any) (any, error) {
	s, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	if err := checkLength(s); err != nil {
		return nil, err
	}
	alg, err := stringArg(args, 1)
	if err != nil {
		return nil, err
	}
	newHash, ok := hashes[alg]
	if !ok {
		return nil, fmt.Errorf("unsupported algorithm %q (use MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(_ *call, args []any) (any, error) {
	a, err := objectArg(args, 0)
	if err != nil {
		return nil, err
	}
	b, err := objectArg(args, 1)
	if err != nil {
		return nil, err
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, fmt.Errorf("argument 3 must be a boolean, got %s", typeName(args[2]))
	}
	if deep {
		return nil, fmt.Errorf("deep merge is not supported: argument 3 must be false")
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

func fnMathRandom(_ *call, args []any) (any, error) {
	start, err := intArg(args, 0, true)
	if err != nil {
		return nil, err
	}
	end, err := intArg(args, 1, true)
	if err != nil {
		return nil, err
	}
	if start > end {
		return nil, fmt.Errorf("start %d is greater than end %d", start, end)
	}
	span := uint64(end-start) + 1
	var draw uint64
	if len(args) == 3 {
		seed, err := intArg(args, 2, true)
		if err != nil {
			return nil, err
		}
		rng := mrand.New(mrand.NewPCG(uint64(seed), 0))
		draw = rng.Uint64()
		if span != 0 {
			draw = rng.Uint64N(span)
		}
	} else {
		draw = mrand.Uint64()
		if span != 0 {
			draw = mrand.Uint64N(span)
		}
	}
	return number(start + int64(draw)), nil
}

func fnMathAdd(_ *call, args []any) (any, error) {
	a, err := intArg(args, 0, true)
	if err != nil {
		return nil, err
	}
	b, err := intArg(args, 1, true)
	if err != nil {
		return nil, err
	}
	sum := a + b
	if (b > 0 && sum < a) || (b < 0 && sum > a) {
		return nil, fmt.Errorf("%d + %d overflows", a, b)
	}
	return number(sum), nil
}

// fnStringSplit splits on every character of the delimiter and drops empty pieces, the
// behaviour of the documented example ("This.is+a,test=string" split on ".+,=").
func fnStringSplit(_ *call, args []any) (any, error) {
	s, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	delims, err := stringArg(args, 1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, f)
	}
	return out, nil
}

func fnUUID(_ *call, _ []any) (any, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
