package dataset

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// stringMasks reports whether data is valid UTF-8 and, if so, fills m for its strings, in
// maskStep steps as checkLines does. With no AVX2 it returns false.
func stringMasks(data []byte, m *strMasks) bool {
	var s maskScan
	return s.start(data, m) && s.fill(len(data)+1)
}

// refStringMasks computes the string ends and the bad bytes of strMasks byte by byte, from their
// definitions: the stop bits are the two together.
func refStringMasks(data []byte) (end, bad []bool) {
	n := len(data)
	escaped := make([]bool, n)
	for i := 0; i < n; {
		if data[i] != '\\' {
			i++
			continue
		}
		j := i
		for j < n && data[j] == '\\' {
			j++
		}
		if (j-i)%2 == 1 && j < n {
			escaped[j] = true
		}
		i = j
	}
	end, bad = make([]bool, n), make([]bool, n)
	for i, c := range data {
		end[i] = c == '"' && !escaped[i]
		needHex := false
		for k := 1; k <= 4 && k <= i; k++ {
			needHex = needHex || escaped[i-k] && data[i-k] == 'u'
		}
		bad[i] = c < 0x20 || escaped[i] && !strings.ContainsRune(`"\/bfnrtu`, rune(c)) || needHex && !isHex(c)
	}
	return end, bad
}

// scanKernels are the scans stringMasks may run, by name: its useAVX512 setting.
var scanKernels = []struct {
	name   string
	avx512 bool
}{{"avx2", false}, {"avx512", true}}

// withKernel runs f with stringMasks set to one scan, when this processor has it, and reports
// whether it ran.
func withKernel(avx512 bool, f func()) bool {
	if !haveSIMD || avx512 && !haveAVX512 {
		return false
	}
	defer func(was bool) { useAVX512 = was }(useAVX512)
	useAVX512 = avx512
	f()
	return true
}

// maskSteps are the maskStep values the tests run with: the smallest, one that is not a power
// of two, and the real one.
var maskSteps = []int{64, 192, maskStep}

// withStep runs f with maskStep set to step.
func withStep(step int, f func()) {
	defer func(was int) { maskStep = was }(maskStep)
	maskStep = step
	f()
}

// checkStringMasks checks stringMasks with every scan this processor has, filled in steps of
// every size in maskSteps.
func checkStringMasks(t *testing.T, data []byte) {
	t.Helper()
	for _, k := range scanKernels {
		for _, step := range maskSteps {
			withStep(step, func() {
				withKernel(k.avx512, func() { checkStringMasksWith(t, fmt.Sprintf("%s, step %d", k.name, step), data) })
			})
		}
	}
}

// checkStringMasksWith compares stringMasks with utf8.Valid and with refStringMasks.
func checkStringMasksWith(t *testing.T, kernel string, data []byte) {
	t.Helper()
	var m strMasks
	ok := stringMasks(data, &m)
	if want := utf8.Valid(data); ok != want {
		t.Fatalf("%s: stringMasks(%q) = %v, utf8.Valid = %v", kernel, data, ok, want)
	}
	if !ok {
		return
	}
	end, bad := refStringMasks(data)
	for i := range data {
		if got := m.stop[i/64]>>(i%64)&1 == 1; got != (end[i] || bad[i]) {
			t.Fatalf("%s: stringMasks(%q): stop bit %d is %v, want %v", kernel, data, i, got, end[i] || bad[i])
		}
		if got := m.bad[i/64]>>(i%64)&1 == 1; got != bad[i] {
			t.Fatalf("%s: stringMasks(%q): bad bit %d is %v, want %v", kernel, data, i, got, bad[i])
		}
	}
	for i := len(data); i < len(data)+64; i++ {
		if m.bad[i/64]>>(i%64)&1 == 0 {
			t.Fatalf("%s: stringMasks(%q): bad bit %d past the data is not set", kernel, data, i)
		}
	}
}

func TestStringMasks(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 here: the scalar checks run instead")
	}
	long := strings.Repeat(`abc"d\\e\"f\u00e9\x `, 20)
	tests := map[string]string{
		"empty":                  "",
		"ascii":                  "hello world",
		"stops":                  `a"b\"c\\"` + "\x00\x1f\x20\n\r\t",
		"escapes":                `\" \\ \/ \b \f \n \r \t \u00e9 \a \x \U \'`,
		"hex cut short":          `"\u12" "\u1" "\u" "\u123g" "\u0041"`,
		"runs of backslashes":    `\\\" \\\\" \\\\\"x \\\\\\`,
		"two-byte":               "héllo wörld",
		"three-byte":             "東京 €42",
		"four-byte":              "📦😀",
		"lone continuation":      "a\x80b",
		"overlong two":           "\xc0\xaf",
		"overlong three":         "\xe0\x80\xaf",
		"overlong four":          "\xf0\x80\x80\xaf",
		"surrogate":              "\xed\xa0\x80",
		"above max":              "\xf4\x90\x80\x80",
		"f5 lead":                "\xf5\x80\x80\x80",
		"truncated at end":       "abc\xe6\x9d",
		"truncated before text":  "\xe6\x9dabc",
		"too long":               "\xc3\xa9\xa9",
		"long valid":             long + "東京" + long,
		"error after 32":         long[:40] + "\xff" + long,
		"ends at 32 open":        strings.Repeat("a", 31) + "\xe6",
		"ends at 64 open":        strings.Repeat("a", 62) + "\xf0\x9f",
		"sequence across 32":     strings.Repeat("a", 31) + "📦" + strings.Repeat("b", 40),
		"sequence across lanes":  strings.Repeat("a", 15) + "東" + strings.Repeat("b", 60),
		"sequence across 64":     strings.Repeat("a", 62) + "📦" + strings.Repeat("b", 70),
		"bad sequence across 64": strings.Repeat("a", 63) + "\xe0\x80\xaf" + strings.Repeat("b", 70),
		"run across 64":          strings.Repeat("a", 61) + `\\\\\"` + strings.Repeat("b", 70),
		"odd run ends at 63":     strings.Repeat("a", 62) + `\"` + strings.Repeat("b", 70),
		"u escape across 64":     strings.Repeat("a", 61) + `\u00e9"` + strings.Repeat("b", 70),
		"u cut across 64":        strings.Repeat("a", 62) + `\u0"` + strings.Repeat("b", 70),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) { checkStringMasks(t, []byte(data)) })
	}
}

// TestStringMasksRandom feeds stringMasks text made of valid characters of every length,
// escapes, runs of backslashes and random bytes, in lengths around the 32- and 64-byte edges
// and across the scan's batches.
func TestStringMasksRandom(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 here: the scalar checks run instead")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", " ", "\"", "\\", "\\\\", "u", "\\u", "0", "F", "g", "\n", "\x1f", "é", "東", "📦", "\u0800", "\uffff", "\U00010000", "\U0010ffff"}
	for i := range 20000 {
		var b []byte
		n := rng.IntN(200)
		if i%100 == 0 {
			n = rawBatch*64 + rng.IntN(300)
		}
		for len(b) < n {
			if rng.IntN(60) == 0 {
				b = append(b, byte(rng.IntN(256)))
			} else {
				b = append(b, pieces[rng.IntN(len(pieces))]...)
			}
		}
		checkStringMasks(t, b)
	}
}

func FuzzStringMasks(f *testing.F) {
	for _, s := range []string{"", `a"b\"c\\"d\u00e9`, "東京 📦", "\xed\xa0\x80", "abc\xe6\x9d", strings.Repeat(`é\\\"`, 20)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !haveSIMD {
			t.Skip("no AVX2 here")
		}
		checkStringMasks(t, data)
	})
}

// checkedLines is what checkLines says of a block: its rejects, blank count and records.
type checkedLines struct {
	Rejects []Reject
	Blank   int64
	Records []lineInfo
	Offsets []int
}

func checkAll(data []byte, simd bool) checkedLines {
	return checkBlockLines(&block{data: data, firstLine: 1}, simd)
}

// checkBlockLines is checkAll on a block of one's own, whose buffers are reused.
func checkBlockLines(b *block, simd bool) checkedLines {
	defer func(was bool) { haveSIMD = was }(haveSIMD)
	haveSIMD = simd
	var c checkedLines
	checkLines(b, Options{MaxLineBytes: DefaultMaxLineBytes}, &c.Rejects, &c.Blank, func(off int, _ []byte, _ int64, info lineInfo) {
		c.Records = append(c.Records, info)
		c.Offsets = append(c.Offsets, off)
	})
	return c
}

// FuzzCheckLinesSIMD checks that the string masks change nothing checkLines says of a block:
// the same records, the same rejects with the same reasons.
func FuzzCheckLinesSIMD(f *testing.F) {
	for _, s := range []string{
		"{\"recordId\":\"a\",\"modelInput\":{\"x\":\"caf\\u00e9 \\\"q\\\" 東京\"}}\n\n{\"modelInput\":{}}\r\n",
		"{\"recordId\":\"a\\\",\"modelInput\":{}}\n{\"modelInput\":{\"t\":\"\\u12\"}}\n{\"modelInput\":{\"t\":\"a\tb\"}}",
		"{\"modelInput\":{\"t\":\"\\x\"}}\n{\"modelInput\":{\"t\":\"\xff\"}}\n{\"modelInput\":{\"t\":\"\\\\\"}}\n",
		"{\"modelInput\":{\"t\":\"unterminated}}\n{\"modelInput\":{\"t\":\"ok\"}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !haveSIMD {
			t.Skip("no AVX2 here")
		}
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 && i < len(data)-1 {
			data = data[:i+1] // blocks hold whole lines, the last one's end aside
		}
		compareCheckLines(t, data)
	})
}

// compareCheckLines checks that checkLines says the same of data with every scan's string
// masks, filled in steps of every size in maskSteps, as without them.
func compareCheckLines(t *testing.T, data []byte) {
	t.Helper()
	want := checkAll(data, false)
	for _, k := range scanKernels {
		for _, step := range maskSteps {
			withStep(step, func() {
				withKernel(k.avx512, func() {
					if got := checkAll(data, true); !reflect.DeepEqual(got, want) {
						t.Fatalf("checkLines(%q) with the %s string masks, step %d:\n%+v\nwithout:\n%+v", data, k.name, step, got, want)
					}
				})
			})
		}
	}
}

// TestCheckLinesMaskSteps checks blocks of many mask steps whose bad UTF-8, broken strings and
// other rejects fall at every distance from a step's edge: the lines before the first bad UTF-8
// are checked by the masks, the rest byte by byte, and checkLines says the same as without.
func TestCheckLinesMaskSteps(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 here: the scalar checks run instead")
	}
	good := `{"recordId":"r","modelInput":{"t":"caf\u00e9 \"q\" 東京 \\ 📦","n":[1,2.5,-3e2,true,null]}}`
	bad := []string{
		"{\"modelInput\":{\"t\":\"\xe6\x9d\"}}",    // truncated UTF-8
		"{\"modelInput\":{\"t\":\"a\xff\"}}",       // a byte no UTF-8 holds
		`{"modelInput":{"t":"\u12"}}`,              // a \u cut short
		`{"modelInput":{"t":"unterminated}}`,       // a string running to the line end
		"{\"modelInput\":{\"t\":\"tab\tinside\"}}", // a control character
		`{"modelInput":{"t":"\x"}}`,                // an escape JSON lacks
	}
	for _, b := range bad {
		for at := range 70 {
			var data []byte
			for i := range 40 {
				if i == 25 {
					data = append(data, strings.Repeat(" ", at)...)
					data = append(append(data, b...), '\n')
				}
				data = append(append(data, good...), '\n')
			}
			compareCheckLines(t, data)
		}
	}
}

// BenchmarkCheckLines measures the per-block validation of Scan and Stream on one core, with
// each scan's string masks and without them.
func BenchmarkCheckLines(b *testing.B) {
	var data []byte
	for _, l := range benchCorpus(b) {
		data = append(append(data, l...), '\n')
	}
	blk := &block{data: data, firstLine: 1}
	run := func(b *testing.B, simd bool) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if c := checkBlockLines(blk, simd); len(c.Rejects) > 0 || len(c.Records) == 0 {
				b.Fatalf("%d records, rejects %v", len(c.Records), c.Rejects)
			}
		}
	}
	for _, k := range scanKernels {
		b.Run(k.name, func(b *testing.B) {
			if !withKernel(k.avx512, func() { run(b, true) }) {
				b.Skip("this processor lacks " + k.name)
			}
		})
	}
	b.Run("scalar", func(b *testing.B) { run(b, false) })
}

// checkValueMasked holds valueMasked to value on v: it must accept what value accepts, ending
// at the same byte, unless v is nested deeper than maxFastDepth, and accept nothing value
// rejects.
func checkValueMasked(t *testing.T, v []byte) {
	t.Helper()
	var m strMasks
	if !stringMasks(v, &m) {
		return // lines of bad UTF-8 are never walked with masks
	}
	p := parser{b: v, sm: &m}
	got, gotEnd := p.valueMasked(), p.i
	e := parser{b: v}
	want := e.value(1) && e.err == nil
	nested := bytes.Count(v, []byte("["))+bytes.Count(v, []byte("{")) > maxFastDepth
	switch {
	case got && (!want || gotEnd != e.i):
		t.Fatalf("valueMasked(%q) = true ending at %d; value says %v ending at %d", v, gotEnd, want, e.i)
	case !got && want && !nested:
		t.Fatalf("valueMasked(%q) = false; value accepts it", v)
	}
}

// FuzzValueMasked holds valueMasked to value on any bytes.
func FuzzValueMasked(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,null,"x\u00e9"],"b":{}}`, `[[],{ },"\"",0]`, `{"a" : 1 ,"b":[ 2 ]}`, `-01`, `[1}`, `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if !haveSIMD {
			t.Skip("no AVX2 here")
		}
		for _, k := range scanKernels {
			withKernel(k.avx512, func() { checkValueMasked(t, v) })
		}
	})
}

// TestValueMasked holds valueMasked to value on values of every kind: it must accept what value
// accepts, ending at the same byte, unless nested deeper than maxFastDepth, and accept nothing
// value rejects. Each value is also checked as a line's modelInput member by compareCheckLines.
func TestValueMasked(t *testing.T) {
	if !haveSIMD {
		t.Skip("no AVX2 here: the scalar checks run instead")
	}
	values := []string{
		`{}`, `[]`, `{ }`, `[ ]`, `0`, `-0`, `12`, `-1.5E-3`, `1e9`, `2.5e+7`, `true`, `false`, `null`, `"x"`, `""`,
		`[1, -0, 0.5, 1e9, -1.5E-3, true, false, null, "x"]`,
		`{"a":{"b":[{}]},"c":[[],[{}],{"d":null}]}`,
		" { \"a\" :\t1 , \"b\" : [ 2 , 3 ] }",
		`"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"`, `"é😀"`,
		strings.Repeat("[", maxFastDepth) + strings.Repeat("]", maxFastDepth),
		strings.Repeat(`{"a":`, maxFastDepth) + "1" + strings.Repeat("}", maxFastDepth),
		strings.Repeat("[", maxFastDepth+1) + "1" + strings.Repeat("]", maxFastDepth+1),
		``, `01`, `1.`, `.5`, `1e`, `1e+`, `+1`, `-`, `--1`, `[1,]`, `[,1]`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":}`,
		`{1:1}`, `{"a":1]`, `[1}`, `[1 2]`, `{"a":1 "b":2}`, `"\x"`, `"\u12"`, "\"a\tb\"", `"abc`, `tru`, `nul`,
		`fals`, `truex`, `[`, `{`, `{"a"`, `{"a":`, `[1,`, `}`, `]`, `:`, `,`,
	}
	for _, v := range values {
		for _, k := range scanKernels {
			withKernel(k.avx512, func() { checkValueMasked(t, []byte(v)) })
		}
		if strings.Count(v, "[")+strings.Count(v, "{") > maxFastDepth {
			var m strMasks
			stringMasks([]byte(v), &m)
			if p := (parser{b: []byte(v), sm: &m}); p.valueMasked() {
				t.Errorf("valueMasked(%q) = true, nested deeper than %d", v, maxFastDepth)
			}
		}
		compareCheckLines(t, []byte(`{"recordId":"r","modelInput":{"v":`+v+"}}\n"))
	}
}
