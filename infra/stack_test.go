package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// synthesized is one stack of the test app, synthesized once for the whole test binary.
type synthesized struct {
	cfg      Config
	raw      map[string]any // the template as parsed JSON
	template assertions.Template
	messages []message  // cdk annotations on the stack's constructs
	report   [][]string // cdk-nag's AwsSolutions report: rule, resource, compliance, exception reason, ...
}

var (
	// full exercises every optional feature: customer key, alarm email, an inference profile
	// id and a scheduled profile whose prefix is outside the inbox.
	full synthesized
	// minimal is the repository's cdk.json, as `npx cdk synth` sees it.
	minimal synthesized
	// bootstraps is the size in bytes of each built function, by name.
	bootstraps = map[string]int64{}
)

const testKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

var fullContext = map[string]any{
	ContextProfiles: map[string]any{
		"claude": map[string]any{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"},
		"nova-nightly": map[string]any{"modelId": "us.amazon.nova-lite-v1:0", "invocationType": "Converse",
			"schedule": "cron(0 2 * * ? *)", "prefix": "exports/nightly/"},
	},
	ContextKMSKeyARN:          testKeyARN,
	ContextAlarmEmail:         "ops@example.com",
	ContextRunsExpirationDays: float64(45),
	ContextLogRetentionDays:   float64(90),
	ContextStackName:          "Full",
}

// TestMain builds the functions and synthesizes both test stacks in one app, with the cdk-nag
// AwsSolutions checks applied, exactly once: jsii makes every synth cost seconds.
func TestMain(m *testing.M) {
	code, err := synthOnce(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func synthOnce(m *testing.M) (int, error) {
	defer jsii.Close()
	tmp, err := os.MkdirTemp("", "bbatch-infra-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	assets, err := BuildFunctions("..", filepath.Join(tmp, "build"), Functions)
	if err != nil {
		return 0, err
	}
	for name, dir := range assets {
		st, err := os.Stat(filepath.Join(dir, "bootstrap"))
		if err != nil {
			return 0, err
		}
		bootstraps[name] = st.Size()
	}
	full.cfg, err = ConfigFromContext(func(k string) any { return fullContext[k] })
	if err != nil {
		return 0, err
	}
	cdkJSON, err := os.ReadFile("../cdk.json")
	if err != nil {
		return 0, err
	}
	var repo struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(cdkJSON, &repo); err != nil {
		return 0, fmt.Errorf("cdk.json: %w", err)
	}
	minimal.cfg, err = ConfigFromContext(func(k string) any { return repo.Context[k] })
	if err != nil {
		return 0, fmt.Errorf("cdk.json: %w", err)
	}

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(tmp, "cdk.out"))})
	NewPipelineStack(app, full.cfg.StackName, &StackProps{Config: full.cfg, Assets: assets})
	NewPipelineStack(app, minimal.cfg.StackName, &StackProps{Config: minimal.cfg, Assets: assets})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	outDir := *app.Synth(nil).Directory()
	for _, s := range []*synthesized{&full, &minimal} {
		b, err := os.ReadFile(filepath.Join(outDir, s.cfg.StackName+".template.json"))
		if err != nil {
			return 0, err
		}
		if err := json.Unmarshal(b, &s.raw); err != nil {
			return 0, err
		}
		s.template = assertions.Template_FromJSON(&s.raw, nil)
		var metadata map[string][]struct {
			Type string `json:"type"`
			Data any    `json:"data"`
		}
		if b, err := os.ReadFile(filepath.Join(outDir, s.cfg.StackName+".metadata.json")); err != nil {
			return 0, err
		} else if err := json.Unmarshal(b, &metadata); err != nil {
			return 0, fmt.Errorf("%s.metadata.json: %w", s.cfg.StackName, err)
		}
		if len(metadata) == 0 {
			return 0, fmt.Errorf("%s.metadata.json holds no construct metadata", s.cfg.StackName)
		}
		for path, entries := range metadata {
			for _, e := range entries {
				data, _ := e.Data.(string)
				s.messages = append(s.messages, message{Path: path, Type: e.Type, Data: data})
			}
		}
		reports, err := filepath.Glob(filepath.Join(outDir, "AwsSolutions-*"+s.cfg.StackName+"-NagReport.csv"))
		if err != nil || len(reports) != 1 {
			return 0, fmt.Errorf("cdk-nag report of %s: %v %v", s.cfg.StackName, reports, err)
		}
		f, err := os.Open(reports[0])
		if err != nil {
			return 0, fmt.Errorf("cdk-nag report: %w", err)
		}
		s.report, err = csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("cdk-nag report: %w", err)
		}
	}
	return m.Run(), nil
}

// message is one annotation of the cloud assembly manifest.
type message struct{ Path, Type, Data string }

func stacks() map[string]*synthesized {
	return map[string]*synthesized{"full": &full, "minimal": &minimal}
}

// resources returns the logical ids and properties of every resource of type typ.
func (s *synthesized) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.raw["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]any)
			out[id] = props
		}
	}
	return out
}

// only returns the logical id of the one resource of type typ whose id starts with prefix.
func (s *synthesized) only(t *testing.T, typ, prefix string) (string, map[string]any) {
	t.Helper()
	var ids []string
	res := s.resources(typ)
	for id := range res {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s resources starting %q: %v, want exactly one", typ, prefix, ids)
	}
	return ids[0], res[ids[0]]
}

// flat renders an intrinsic-bearing value as one string: Fn::Join joined, {"Ref": X} as ${X},
// {"Fn::GetAtt": [X, Y]} as ${X.Y}, so ARNs can be compared as text.
func flat(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			return "${" + ref + "}"
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok {
			return "${" + ga[0].(string) + "." + ga[1].(string) + "}"
		}
		if j, ok := v["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, flat(p))
			}
			return strings.Join(parts, j[0].(string))
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// statement is one IAM statement with its actions and flattened resources.
type statement struct {
	Effect    string
	Actions   []string
	Resources []string
	Condition map[string]any
	raw       map[string]any
}

func parseStatement(st map[string]any) statement {
	s := statement{raw: st}
	s.Effect, _ = st["Effect"].(string)
	for _, a := range list(st["Action"]) {
		if a != nil {
			s.Actions = append(s.Actions, a.(string))
		}
	}
	for _, r := range list(st["Resource"]) {
		if r != nil {
			s.Resources = append(s.Resources, flat(r))
		}
	}
	s.Condition, _ = st["Condition"].(map[string]any)
	return s
}

// allStatements walks the whole template and returns every IAM statement in it, wherever it is
// (role trust policies, inline and attached policies, bucket and topic policies).
func (s *synthesized) allStatements() []statement {
	var out []statement
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if sts, ok := v["Statement"].([]any); ok {
				for _, st := range sts {
					out = append(out, parseStatement(st.(map[string]any)))
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(s.raw["Resources"])
	return out
}

// roleStatements returns the statements of every policy attached to the role with logical id role.
func (s *synthesized) roleStatements(role string) []statement {
	var out []statement
	for _, props := range s.resources("AWS::IAM::Policy") {
		attached := false
		for _, r := range list(props["Roles"]) {
			if flat(r) == "${"+role+"}" {
				attached = true
			}
		}
		if !attached {
			continue
		}
		doc := props["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			out = append(out, parseStatement(st.(map[string]any)))
		}
	}
	if props, ok := s.resources("AWS::IAM::Role")[role]; ok {
		for _, p := range list(props["Policies"]) {
			if p, ok := p.(map[string]any); ok {
				for _, st := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					out = append(out, parseStatement(st.(map[string]any)))
				}
			}
		}
	}
	return out
}

// grants maps each allowed action of role to its sorted resources.
func (s *synthesized) grants(role string) map[string][]string {
	out := map[string][]string{}
	for _, st := range s.roleStatements(role) {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range st.Actions {
			out[a] = append(out[a], st.Resources...)
		}
	}
	for a := range out {
		sort.Strings(out[a])
		out[a] = slices.Compact(out[a])
	}
	return out
}

func TestBootstrapSize(t *testing.T) {
	const limit = 15 << 20
	for _, fn := range Functions {
		size, ok := bootstraps[fn.Name]
		if !ok {
			t.Errorf("%s: not built", fn.Name)
			continue
		}
		t.Logf("%s bootstrap: %.1f MiB", fn.Name, float64(size)/(1<<20))
		if size > limit {
			t.Errorf("%s bootstrap is %d bytes, over the 15 MiB target", fn.Name, size)
		}
	}
}

// TestNag fails on any AwsSolutions finding that is not suppressed with a reason in nag.go.
func TestNag(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			for _, m := range s.messages {
				if (m.Type == "aws:cdk:error" || m.Type == "aws:cdk:warning") && strings.Contains(m.Data, "AwsSolutions-") {
					t.Errorf("%s at %s: %s", m.Type, m.Path, firstLine(m.Data))
				}
			}
			// The report proves the pack ran, and shows every accepted finding with its reason.
			if len(s.report) < 30 {
				t.Fatalf("cdk-nag report has %d rows; did the AwsSolutions checks run?", len(s.report))
			}
			suppressed := map[string]bool{}
			for _, row := range s.report[1:] {
				switch row[2] {
				case "Compliant", "Not Applicable":
				case "Suppressed":
					suppressed[row[0]] = true
					if len(row[3]) < 40 {
						t.Errorf("%s on %s suppressed with a thin reason %q", row[0], row[1], row[3])
					}
				default:
					t.Errorf("%s on %s: %s", row[0], row[1], row[2])
				}
			}
			t.Logf("suppressed rules: %v", slices.Sorted(maps.Keys(suppressed)))
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestEveryWildcardActionIsTheTLSDeny walks every policy in the template: no allowed action
// anywhere has a wildcard. The only wildcard action is the bucket policy's deny of non-TLS
// requests, which must cover every S3 action to mean anything.
func TestEveryWildcardActionIsTheTLSDeny(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			sts := s.allStatements()
			if len(sts) < 10 {
				t.Fatalf("found %d statements; the walk is broken", len(sts))
			}
			for _, st := range sts {
				if _, ok := st.raw["NotAction"]; ok {
					t.Errorf("NotAction in %v", st.raw)
				}
				if len(st.Actions) == 0 {
					t.Errorf("statement without actions: %v", st.raw)
				}
				for _, a := range st.Actions {
					if !strings.Contains(a, "*") {
						continue
					}
					tls := st.Effect == "Deny" && a == "s3:*" && flat(st.Condition) == `{"Bool":{"aws:SecureTransport":"false"}}`
					if !tls {
						t.Errorf("wildcard action %q in %v", a, st.raw)
					}
				}
			}
		})
	}
}

// TestFunctionGrants pins what each function may do to what its code calls.
func TestFunctionGrants(t *testing.T) {
	s := &full
	bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
	smID, _ := s.only(t, "AWS::StepFunctions::StateMachine", "Pipeline")
	bedrockRole, _ := s.only(t, "AWS::IAM::Role", "BedrockServiceRole")
	bucket, objects := "${"+bucketID+".Arn}", func(p string) string { return "${" + bucketID + ".Arn}/" + p + "*" }
	sm := "${" + smID + "}"
	jobs := "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-invocation-job/*"
	claude := "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
	novaProfile := "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.amazon.nova-lite-v1:0"
	novaAnyRegion := "arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.nova-lite-v1:0"
	models := []string{claude, novaAnyRegion, novaProfile}
	sort.Strings(models)
	sendTask := []string{sm}
	both := func(a, b string) []string { l := []string{a, b}; sort.Strings(l); return l }
	inputs := []string{objects("exports/nightly/"), objects("inbox/"), objects("runs/")}
	sort.Strings(inputs)

	cases := []struct {
		fn   string
		want map[string][]string
	}{
		{"intake", map[string][]string{
			"s3:ListBucket": {bucket}, "s3:GetObject": inputs,
			"s3:PutObject": {objects("runs/")}, "s3:AbortMultipartUpload": {objects("runs/")},
			"states:StartExecution": {sm}, "kms:Decrypt": {testKeyARN}, "kms:GenerateDataKey": {testKeyARN},
		}},
		{"chunker", map[string][]string{
			"s3:ListBucket": {bucket}, "s3:GetObject": inputs,
			"s3:PutObject": {objects("runs/")}, "s3:AbortMultipartUpload": {objects("runs/")},
			"kms:Decrypt": {testKeyARN}, "kms:GenerateDataKey": {testKeyARN},
		}},
		{"submitter", map[string][]string{
			"s3:ListBucket": {bucket}, "s3:GetObject": {objects("runs/")},
			"s3:PutObject": {objects("runs/")}, "s3:AbortMultipartUpload": {objects("runs/")},
			"bedrock:CreateModelInvocationJob": append([]string{jobs}, models...),
			"bedrock:GetModelInvocationJob":    {jobs}, "bedrock:TagResource": {jobs},
			"iam:PassRole":           {"${" + bedrockRole + ".Arn}"},
			"states:SendTaskSuccess": sendTask, "states:SendTaskFailure": sendTask, "states:SendTaskHeartbeat": sendTask,
			"kms:Decrypt": {testKeyARN}, "kms:GenerateDataKey": {testKeyARN},
		}},
		{"jobevents", map[string][]string{
			"s3:ListBucket": {bucket}, "s3:GetObject": {objects("runs/")},
			"bedrock:GetModelInvocationJob": {jobs},
			"states:SendTaskSuccess":        sendTask, "states:SendTaskFailure": sendTask, "states:SendTaskHeartbeat": sendTask,
			"kms:Decrypt": {testKeyARN},
		}},
		{"reconciler", map[string][]string{
			"s3:ListBucket": {bucket}, "s3:GetObject": {objects("runs/")},
			"s3:PutObject": both(objects("runs/"), objects("results/")), "s3:AbortMultipartUpload": both(objects("runs/"), objects("results/")),
			"bedrock:GetModelInvocationJob": {jobs}, "bedrock:StopModelInvocationJob": {jobs},
			"bedrock:ListModelInvocationJobs": {"*"},
			"bedrock:InvokeModel":             models,
			"events:PutEvents":                {"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"},
			"kms:Decrypt":                     {testKeyARN}, "kms:GenerateDataKey": {testKeyARN},
		}},
	}
	for _, c := range cases {
		t.Run(c.fn, func(t *testing.T) {
			fn := functionByName(t, c.fn)
			role, _ := s.only(t, "AWS::IAM::Role", fn.ID+"Role")
			got := s.grants(role)
			logs, ok := got["logs:PutLogEvents"]
			if !ok || len(logs) != 1 || !regexp.MustCompile(`^\$\{`+fn.ID+`Logs[0-9A-F]{8}\.Arn\}$`).MatchString(logs[0]) {
				t.Errorf("logs:PutLogEvents on %v, want only its own log group", logs)
			}
			if !slices.Equal(got["logs:CreateLogStream"], logs) {
				t.Errorf("logs:CreateLogStream on %v, want %v", got["logs:CreateLogStream"], logs)
			}
			delete(got, "logs:PutLogEvents")
			delete(got, "logs:CreateLogStream")
			for a, want := range c.want {
				sort.Strings(want)
				if !slices.Equal(got[a], want) {
					t.Errorf("%s on\n  %v\nwant\n  %v", a, got[a], want)
				}
				delete(got, a)
			}
			for a, r := range got {
				t.Errorf("unexpected grant %s on %v", a, r)
			}
		})
	}
}

func functionByName(t *testing.T, name string) Function {
	t.Helper()
	for _, fn := range Functions {
		if fn.Name == name {
			return fn
		}
	}
	t.Fatalf("no function %s", name)
	return Function{}
}

// TestPassRole: only the submitter may pass a role, only the Bedrock service role, and only to
// Bedrock.
func TestPassRole(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			bedrockRole, _ := s.only(t, "AWS::IAM::Role", "BedrockServiceRole")
			submitterRole, _ := s.only(t, "AWS::IAM::Role", "SubmitterRole")
			n := 0
			for role := range s.resources("AWS::IAM::Role") {
				for _, st := range s.roleStatements(role) {
					if !slices.Contains(st.Actions, "iam:PassRole") {
						continue
					}
					n++
					if role != submitterRole {
						t.Errorf("role %s may pass roles", role)
					}
					if len(st.Actions) != 1 || !slices.Equal(st.Resources, []string{"${" + bedrockRole + ".Arn}"}) {
						t.Errorf("PassRole statement %v, want only iam:PassRole on the Bedrock service role", st.raw)
					}
					if got := flat(st.Condition); got != `{"StringEquals":{"iam:PassedToService":"bedrock.amazonaws.com"}}` {
						t.Errorf("PassRole condition %s", got)
					}
				}
			}
			if n != 1 {
				t.Errorf("%d PassRole statements, want 1", n)
			}
		})
	}
}

func TestBedrockServiceRole(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			id, props := s.only(t, "AWS::IAM::Role", "BedrockServiceRole")
			trust := props["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)
			if len(trust) != 1 {
				t.Fatalf("trust policy has %d statements", len(trust))
			}
			st := parseStatement(trust[0].(map[string]any))
			if got := flat(st.raw["Principal"]); got != `{"Service":"bedrock.amazonaws.com"}` {
				t.Errorf("trusted principal %s", got)
			}
			if !slices.Equal(st.Actions, []string{"sts:AssumeRole"}) {
				t.Errorf("trust actions %v", st.Actions)
			}
			account := flat(st.Condition["StringEquals"].(map[string]any)["aws:SourceAccount"])
			source := flat(st.Condition["ArnLike"].(map[string]any)["aws:SourceArn"])
			if account != "${AWS::AccountId}" || source != "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:model-invocation-job/*" {
				t.Errorf("trust conditions: SourceAccount %s, SourceArn %s", account, source)
			}
			bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
			got := s.grants(id)
			runs := []string{"${" + bucketID + ".Arn}/runs/*"}
			if !slices.Equal(got["s3:GetObject"], runs) || !slices.Equal(got["s3:PutObject"], runs) {
				t.Errorf("object access %v / %v, want only %v", got["s3:GetObject"], got["s3:PutObject"], runs)
			}
			if !slices.Equal(got["s3:ListBucket"], []string{"${" + bucketID + ".Arn}"}) {
				t.Errorf("s3:ListBucket on %v", got["s3:ListBucket"])
			}
			for _, st := range s.roleStatements(id) {
				if strings.HasPrefix(st.Actions[0], "s3:") && flat(resolveRefs(st.Condition)) != `{"StringEquals":{"aws:ResourceAccount":"${AWS::AccountId}"}}` {
					t.Errorf("S3 statement without the resource account condition: %v", st.raw)
				}
			}
			want := map[string]int{"s3:GetObject": 1, "s3:PutObject": 1, "s3:ListBucket": 1}
			if name == "full" {
				want["kms:Decrypt"], want["kms:GenerateDataKey"], want["bedrock:InvokeModel"] = 1, 1, 1
				profileARNs := []string{
					"arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.amazon.nova-lite-v1:0",
					"arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.nova-lite-v1:0",
				}
				sort.Strings(profileARNs)
				if !slices.Equal(got["bedrock:InvokeModel"], profileARNs) {
					t.Errorf("bedrock:InvokeModel on %v, want the inference profile and its model in every Region", got["bedrock:InvokeModel"])
				}
			}
			for a := range got {
				if want[a] == 0 {
					t.Errorf("unexpected grant %s on %v", a, got[a])
				}
			}
			for a := range want {
				if _, ok := got[a]; !ok {
					t.Errorf("missing grant %s", a)
				}
			}
		})
	}
}
