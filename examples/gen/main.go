package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sizes and fixed seeds of the datasets. Changing a seed or a template changes the output, and the
// committed files must then be regenerated.
const (
	numTickets  = 240
	numArticles = 300
	ticketSeed  = 20261125
	articleSeed = 20261126
)

// Body settings: a label is one short word, so 20 tokens is plenty.
const (
	anthropicVersion = "bedrock-2023-05-31"
	labelMaxTokens   = 20
	embedDimensions  = 256
)

// Output file names inside the output folder.
const (
	claudeFile = "tickets-claude.jsonl"
	novaFile   = "tickets-nova.jsonl"
	labelsFile = "tickets-labels.csv"
	titanFile  = "embeddings-titan.jsonl"
)

func main() {
	out := flag.String("out", "examples", "folder to write the datasets into (it must exist)")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate writes every dataset into dir.
func generate(dir string) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("output folder %s does not exist; run from the repository root or pass -out", dir)
	}
	tickets, err := makeTickets(newTicketRand(), numTickets)
	if err != nil {
		return err
	}
	docs, err := makeArticles(newArticleRand(), numArticles)
	if err != nil {
		return err
	}
	var claude, nova, labels, titan bytes.Buffer
	labels.WriteString("recordId,label\n")
	for _, t := range tickets {
		if err := writeLine(&claude, t.id, claudeBody(t.text)); err != nil {
			return err
		}
		if err := writeLine(&nova, t.id, novaBody(t.text)); err != nil {
			return err
		}
		fmt.Fprintf(&labels, "%s,%s\n", t.id, t.label)
	}
	for _, d := range docs {
		if err := writeLine(&titan, d.id, titanBody{InputText: d.text, Dimensions: embedDimensions, Normalize: true}); err != nil {
			return err
		}
	}
	for name, buf := range map[string]*bytes.Buffer{claudeFile: &claude, novaFile: &nova, labelsFile: &labels, titanFile: &titan} {
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// newTicketRand and newArticleRand are the generator's random sources, with fixed seeds. Should a
// Go release ever change what they draw, TestCommittedFilesAreCurrent fails.
func newTicketRand() *rand.Rand  { return rand.New(rand.NewPCG(ticketSeed, 1)) }
func newArticleRand() *rand.Rand { return rand.New(rand.NewPCG(articleSeed, 1)) }

// record is one Bedrock batch input line.
type record struct {
	RecordID   string `json:"recordId"`
	ModelInput any    `json:"modelInput"`
}

// writeLine appends one JSONL line. HTML escaping is off so "&" and "<" stay readable.
func writeLine(buf *bytes.Buffer, id string, body any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(record{RecordID: id, ModelInput: body}); err != nil {
		return fmt.Errorf("encode record %s: %w", id, err)
	}
	return nil
}

// Anthropic Claude Messages API body.
type claudeRequest struct {
	AnthropicVersion string          `json:"anthropic_version"`
	MaxTokens        int             `json:"max_tokens"`
	System           string          `json:"system"`
	Messages         []claudeMessage `json:"messages"`
	Temperature      float64         `json:"temperature"`
}

type claudeMessage struct {
	Role    string        `json:"role"`
	Content []claudeBlock `json:"content"`
}

type claudeBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func claudeBody(ticket string) claudeRequest {
	return claudeRequest{
		AnthropicVersion: anthropicVersion,
		MaxTokens:        labelMaxTokens,
		System:           ticketSystem,
		Messages:         []claudeMessage{{Role: "user", Content: []claudeBlock{{Type: "text", Text: ticket}}}},
	}
}

// Amazon Nova messages-v1 body.
type novaRequest struct {
	SchemaVersion   string        `json:"schemaVersion"`
	System          []novaText    `json:"system"`
	Messages        []novaMessage `json:"messages"`
	InferenceConfig novaConfig    `json:"inferenceConfig"`
}

type novaText struct {
	Text string `json:"text"`
}

type novaMessage struct {
	Role    string     `json:"role"`
	Content []novaText `json:"content"`
}

type novaConfig struct {
	MaxTokens   int     `json:"maxTokens"`
	Temperature float64 `json:"temperature"`
}

func novaBody(ticket string) novaRequest {
	return novaRequest{
		SchemaVersion:   "messages-v1",
		System:          []novaText{{Text: ticketSystem}},
		Messages:        []novaMessage{{Role: "user", Content: []novaText{{Text: ticket}}}},
		InferenceConfig: novaConfig{MaxTokens: labelMaxTokens},
	}
}

// Amazon Titan Text Embeddings V2 body.
type titanBody struct {
	InputText  string `json:"inputText"`
	Dimensions int    `json:"dimensions"`
	Normalize  bool   `json:"normalize"`
}

// ticket is one generated support ticket and the label it was written for.
type ticket struct {
	id, label, text string
}

// makeTickets writes n distinct tickets in the order ticketSlots gives.
func makeTickets(r *rand.Rand, n int) ([]ticket, error) {
	slots := ticketSlots(r, n)
	seen := map[string]bool{}
	tickets := make([]ticket, 0, n)
	for i, s := range slots {
		var text string
		for try := 0; ; try++ {
			if try == 100 {
				return nil, fmt.Errorf("ticket %d (%s): no new text after %d tries; add templates", i+1, s.label, try)
			}
			var err error
			if text, err = ticketText(r, s); err != nil {
				return nil, err
			}
			if !seen[text] {
				break
			}
		}
		seen[text] = true
		tickets = append(tickets, ticket{id: fmt.Sprintf("T-%05d", 10001+i), label: s.label, text: text})
	}
	return tickets, nil
}

// ticketSlots lays out n tickets: each label gets its share of ticketCounts (scaled to n), the
// foreign-language templates are used once each, and the order is shuffled. A slot's text is the
// foreign template, or "" for a ticket built from the English templates.
func ticketSlots(r *rand.Rand, n int) []labeled {
	var slots []labeled
	total := 0
	for _, l := range ticketLabels {
		total += ticketCounts[l]
	}
	for i, l := range ticketLabels {
		count := ticketCounts[l] * n / total
		if i == len(ticketLabels)-1 {
			count = n - len(slots)
		}
		for _, f := range foreign {
			if f.label == l && count > 0 {
				slots = append(slots, f)
				count--
			}
		}
		for range count {
			slots = append(slots, labeled{label: l})
		}
	}
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	return slots
}

// sentenceWeights are how often a ticket has 1, 2, 3, 4 or 5 sentences, in percent.
var sentenceWeights = []int{20, 30, 25, 15, 10}

// ticketText writes one ticket for slot: the foreign text if it has one, else an opening for its
// label, then details and general remarks up to a drawn sentence count, a greeting and a sign-off.
func ticketText(r *rand.Rand, slot labeled) (string, error) {
	f := newFiller(r)
	if slot.text != "" {
		body, err := f.fill(slot.text)
		if err != nil {
			return "", err
		}
		if r.IntN(2) == 0 {
			return body, nil
		}
		return body + "\n\n" + f.mustFill("{first}"), nil
	}
	want := 1 + weighted(r, sentenceWeights)
	first, err := f.fill(pick(r, openings[slot.label]))
	if err != nil {
		return "", err
	}
	shout := slot.label != "technical" && r.IntN(30) == 0
	if shout {
		first = strings.ToUpper(first)
	}
	sentences := []string{first}
	pool := slices.Clone(details[slot.label])
	general := slices.Clone(extras)
	for len(sentences) < want && (len(pool) > 0 || len(general) > 0) {
		from := &pool
		if len(pool) == 0 || (len(general) > 0 && r.IntN(10) < 3) {
			from = &general
		}
		k := r.IntN(len(*from))
		tmpl := (*from)[k]
		*from = slices.Delete(*from, k, k+1)
		if _, ok := f.vals["order"]; ok && strings.Contains(tmpl, "{order}") {
			continue // the ticket already names its order
		}
		s, err := f.fill(tmpl)
		if err != nil {
			return "", err
		}
		sentences = append(sentences, s)
	}
	body := strings.Join(sentences, " ")
	if !shout && r.IntN(25) == 0 {
		body = strings.TrimRight(strings.ToLower(body), ".")
	}
	greeting, err := f.fill(pick(r, greetings))
	if err != nil {
		return "", err
	}
	signoff, err := f.fill(pick(r, signoffs))
	if err != nil {
		return "", err
	}
	switch {
	case greeting == "":
	case strings.HasSuffix(greeting, ",") && r.IntN(2) == 0:
		body = greeting + "\n\n" + body
	default:
		body = greeting + " " + body
	}
	if signoff != "" {
		sep := "\n\n"
		if !strings.Contains(signoff, "\n") && r.IntN(2) == 0 {
			sep = " "
		}
		body += sep + signoff
	}
	return body, nil
}

// doc is one generated help-center snippet.
type doc struct {
	id, text string
}

// makeArticles writes every product, general, delivery and shop article, shuffles them, and keeps
// the first n. It fails when there are fewer than n distinct articles.
func makeArticles(r *rand.Rand, n int) ([]doc, error) {
	var texts []string
	add := func(f *filler, a article) error {
		title, err := f.fill(a.title)
		if err != nil {
			return err
		}
		body, err := f.fill(a.body)
		if err != nil {
			return err
		}
		texts = append(texts, title+"\n"+body)
		return nil
	}
	for _, p := range products {
		for _, set := range articleSets[p.kind] {
			for _, a := range productArticles[set] {
				f := newFiller(r)
				f.vals["p"] = p.name
				f.vals["P"] = capitalize(p.name)
				if err := add(f, a); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, a := range generalArticles {
		if err := add(newFiller(r), a); err != nil {
			return nil, err
		}
	}
	for _, c := range deliveryCountries {
		f := newFiller(r)
		f.vals["country"] = c
		f.vals["carrier"] = countryCarriers[c]
		if f.vals["carrier"] == "" {
			f.vals["carrier"] = pick(r, deliveryCarriers)
		}
		f.currency = currencyOf(c)
		lo := 1 + r.IntN(4)
		f.vals["min"] = fmt.Sprint(lo)
		f.vals["max"] = fmt.Sprint(lo + 1 + r.IntN(4))
		f.vals["amount"] = f.money(4+r.IntN(12), 95)
		f.vals["amount2"] = f.money(40+10*r.IntN(8), 0)
		if err := add(f, countryArticle); err != nil {
			return nil, err
		}
	}
	for _, c := range storeCities {
		f := newFiller(r)
		f.vals["city"] = c
		f.vals["open"] = pick(r, openingHours)
		if err := add(f, storeArticle); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for _, t := range texts {
		if seen[t] {
			return nil, fmt.Errorf("article written twice: %q", t[:min(len(t), 60)])
		}
		seen[t] = true
	}
	if len(texts) < n {
		return nil, fmt.Errorf("only %d articles for %d records; add templates", len(texts), n)
	}
	r.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	docs := make([]doc, n)
	for i := range docs {
		docs[i] = doc{id: fmt.Sprintf("KB-%04d", i+1), text: texts[i]}
	}
	return docs, nil
}

// filler fills {placeholders}. A value is drawn on first use and kept, so a placeholder used
// twice in one ticket names the same thing twice.
type filler struct {
	r        *rand.Rand
	vals     map[string]string
	currency currency
	first    string
	last     string
}

func newFiller(r *rand.Rand) *filler {
	return &filler{
		r:        r,
		vals:     map[string]string{},
		currency: pick(r, []currency{{"$", "", '.', 0}, {"€", "", ',', 0}, {"£", "", '.', 0}, {"", " €", ',', 0}, {"€", "", '.', 0}}),
		first:    pick(r, firstNames),
		last:     pick(r, lastNames),
	}
}

// errUnknownKey is returned by fill for a placeholder nobody defined: a typo in a template.
var errUnknownKey = errors.New("unknown placeholder")

// fill replaces every {key} whose key is letters and digits. Other braces, as in a JSON snippet,
// are text.
func (f *filler) fill(tmpl string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		j := strings.IndexByte(tmpl[i:], '}')
		key := ""
		if j > 1 {
			key = tmpl[i+1 : i+j]
		}
		if key == "" || strings.IndexFunc(key, func(c rune) bool { return !isKeyRune(c) }) >= 0 {
			b.WriteString(tmpl[:i+1])
			tmpl = tmpl[i+1:]
			continue
		}
		v, err := f.value(key)
		if err != nil {
			return "", fmt.Errorf("template %q: %w", tmpl, err)
		}
		b.WriteString(tmpl[:i])
		b.WriteString(v)
		tmpl = tmpl[i+j+1:]
	}
}

func isKeyRune(c rune) bool { return c < utf8.RuneSelf && (unicode.IsLetter(c) || unicode.IsDigit(c)) }

// mustFill fills a template the caller wrote with known keys only.
func (f *filler) mustFill(tmpl string) string {
	s, err := f.fill(tmpl)
	if err != nil {
		panic(err)
	}
	return s
}

func (f *filler) value(key string) (string, error) {
	if v, ok := f.vals[key]; ok {
		return v, nil
	}
	v, err := f.draw(key)
	if err != nil {
		return "", err
	}
	f.vals[key] = v
	return v, nil
}

// draw makes a fresh value for key.
func (f *filler) draw(key string) (string, error) {
	r := f.r
	if kinds, ok := productGroups[key]; ok {
		var fit []product
		for _, p := range products {
			if slices.Contains(kinds, p.kind) {
				fit = append(fit, p)
			}
		}
		p := pick(r, fit)
		f.vals["slug"] = p.slug
		return p.name, nil
	}
	switch key {
	case "order":
		n := f.orderNumber()
		return pick(r, []string{"#" + n, "#" + n, "#" + n, n, "no. " + n}), nil
	case "ordernum":
		return f.orderNumber(), nil
	case "amount":
		return f.money(5+r.IntN(400), 99-10*r.IntN(10)), nil
	case "amount2":
		return f.money(5+r.IntN(400), 99-10*r.IntN(10)), nil
	case "date", "when":
		return f.date(), nil
	case "n":
		return fmt.Sprint(3 + r.IntN(19)), nil
	case "years":
		return fmt.Sprint(2 + r.IntN(8)), nil
	case "year":
		return fmt.Sprint(2012 + r.IntN(13)), nil
	case "hours":
		return fmt.Sprint(6 + 2*r.IntN(18)), nil
	case "weeks":
		return fmt.Sprint(4 + r.IntN(5)), nil
	case "minutes":
		return fmt.Sprint(15 + 5*r.IntN(7)), nil
	case "ip":
		return pick(r, []string{"X4", "X5", "54", "55", "67"}), nil
	case "carrier":
		city, err := f.value("city")
		if err != nil {
			return "", err
		}
		return pick(r, cityCarriers[city]), nil
	case "city":
		return pick(r, sortedKeys(cityCarriers)), nil
	case "country":
		return pick(r, countries), nil
	case "company":
		return pick(r, companies), nil
	case "code":
		return pick(r, promoCodes), nil
	case "last4":
		return fmt.Sprintf("%04d", r.IntN(10000)), nil
	case "first":
		return f.first, nil
	case "name":
		return f.first + " " + f.last, nil
	case "email":
		local := pick(r, []string{
			fold(f.first) + "." + fold(f.last),
			fold(f.first) + fold(f.last) + fmt.Sprint(r.IntN(100)),
			fold(f.first)[:1] + fold(f.last),
			fold(f.first) + "_" + fmt.Sprint(1960+r.IntN(45)),
		})
		return strings.ToLower(local) + "@" + pick(r, mailDomains), nil
	case "user":
		return strings.ToLower(fold(f.first) + fold(f.last)[:1]), nil
	case "ios":
		return pick(r, []string{"18.1", "18.0.1", "17.6.1", "26.0", "26.1"}), nil
	case "ff":
		return pick(r, []string{"131", "132.0.2", "133", "140.3"}), nil
	case "appver":
		return fmt.Sprintf("5.%d.%d", 10+r.IntN(6), r.IntN(4)), nil
	case "errcode":
		return fmt.Sprintf("%02d", 1+r.IntN(12)), nil
	case "errid":
		return fmt.Sprintf("%08x-%04x", r.Uint32(), r.IntN(1<<16)), nil
	case "time":
		return pick(r, []string{"2 am", "3:15 am", "midnight", "23:40", "1 in the morning", "4am"}), nil
	case "tracking":
		return fmt.Sprintf("%c%c%09d%s", 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(1e9), pick(r, []string{"GB", "DE", "NL", "FR", "US"})), nil
	}
	return "", fmt.Errorf("%w {%s}", errUnknownKey, key)
}

func (f *filler) orderNumber() string { return fmt.Sprint(4_000_000 + f.r.IntN(1_000_000)) }

// currency says how a price is written: the symbol before or after the number, the decimal
// mark, and, for currencies priced in whole units, how many units make a euro (roughly).
type currency struct {
	before, after string
	mark          rune
	perEuro       int
}

var countryCurrency = map[string]currency{
	"the United Kingdom": {"£", "", '.', 0},
	"the United States":  {"$", "", '.', 0},
	"Canada":             {"CA$", "", '.', 0},
	"Australia":          {"A$", "", '.', 0},
	"New Zealand":        {"NZ$", "", '.', 0},
	"Switzerland":        {"CHF ", "", '.', 0},
	"Japan":              {"¥", "", 0, 160},
	"Denmark":            {"", " kr.", 0, 7},
	"Sweden":             {"", " kr", 0, 11},
	"Norway":             {"", " kr", 0, 12},
	"Iceland":            {"", " kr.", 0, 150},
	"Poland":             {"", " zł", 0, 4},
	"the Czech Republic": {"", " Kč", 0, 25},
}

func currencyOf(country string) currency {
	if c, ok := countryCurrency[country]; ok {
		return c
	}
	return currency{"€", "", ',', 0}
}

// money writes units and cents in f's currency. A currency priced in whole units shows the
// amount converted and rounded up to a tidy number instead.
func (f *filler) money(units, cents int) string {
	c := f.currency
	if c.perEuro > 0 {
		v := (units + 1) * c.perEuro
		step := 1
		for v/step >= 100 {
			step *= 10
		}
		return fmt.Sprintf("%s%d%s", c.before, (v+step-1)/step*step, c.after)
	}
	if cents == 0 && c.after == "" {
		return fmt.Sprintf("%s%d%s", c.before, units, c.after)
	}
	return fmt.Sprintf("%s%d%c%02d%s", c.before, units, c.mark, cents, c.after)
}

// date writes a day in October or November 2026 in one of the ways people write dates.
func (f *filler) date() string {
	r := f.r
	m := 9 + r.IntN(2)
	d := 1 + r.IntN(30)
	switch r.IntN(5) {
	case 0:
		return fmt.Sprintf("%d %s", d, months[m])
	case 1:
		return fmt.Sprintf("%s %d%s", months[m], d, ordinal(d))
	case 2:
		return fmt.Sprintf("%02d/%02d", d, m+1)
	case 3:
		return fmt.Sprintf("%s %d", months[m][:3], d)
	default:
		return fmt.Sprintf("%d.%d.2026", d, m+1)
	}
}

func ordinal(d int) string {
	switch {
	case d >= 11 && d <= 13:
		return "th"
	case d%10 == 1:
		return "st"
	case d%10 == 2:
		return "nd"
	case d%10 == 3:
		return "rd"
	}
	return "th"
}

// folded maps the letters in the name lists to the ASCII an email address or user name uses.
var folded = strings.NewReplacer(
	"é", "e", "ë", "e", "è", "e", "ö", "o", "ø", "o", "ü", "u", "ñ", "n", "á", "a", "ó", "o",
	"í", "i", "ú", "u", "ç", "c", "ä", "a", "Ł", "L", "ł", "l", "Ø", "O", "Ö", "O", "Ü", "U",
	"’", "", "'", "", " ", "", "-", "",
)

func fold(s string) string { return folded.Replace(s) }

func capitalize(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(c)) + s[n:]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns index i with probability ws[i]/sum(ws).
func weighted(r *rand.Rand, ws []int) int {
	sum := 0
	for _, w := range ws {
		sum += w
	}
	n := r.IntN(sum)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}
