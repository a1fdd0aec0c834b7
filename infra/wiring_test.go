package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrock-batch/bedrock-batch/internal/eventrule"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/settings"
	"github.com/bedrock-batch/bedrock-batch/internal/stackout"
	"github.com/bedrock-batch/bedrock-batch/statemachine"
)

// settingsByIdent maps the identifiers of internal/settings' constants to their values, so the
// test can read which settings a function's main.go loads.
var settingsByIdent = map[string]string{
	"EnvBucket": settings.EnvBucket, "EnvStateMachineARN": settings.EnvStateMachineARN, "EnvProfiles": settings.EnvProfiles,
	"EnvBedrockRoleARN": settings.EnvBedrockRoleARN, "EnvEventBusName": settings.EnvEventBusName, "EnvKMSKeyID": settings.EnvKMSKeyID,
}

// loadedSettings parses functions/<name>/lambda/main.go and returns the settings.Env* names it
// names: the settings the function loads at start.
func loadedSettings(t *testing.T, name string) []string {
	t.Helper()
	path := "../functions/" + name + "/lambda/main.go"
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || !isSelector(sel, "settings", sel.Sel.Name) || !strings.HasPrefix(sel.Sel.Name, "Env") {
			return true
		}
		v, ok := settingsByIdent[sel.Sel.Name]
		if !ok {
			t.Fatalf("%s: settings.%s is unknown to this test", path, sel.Sel.Name)
		}
		seen[v] = true
		return true
	})
	if len(seen) == 0 {
		t.Fatalf("%s names no settings.Env* constant", path)
	}
	return slices.Sorted(maps.Keys(seen))
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// TestFunctionEnvironment: each function's environment is exactly the settings its main.go loads
// (the optional KMS key only when configured), with the values the stack owns.
func TestFunctionEnvironment(t *testing.T) {
	for name, s := range stacks() {
		bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
		smID, _ := s.only(t, "AWS::StepFunctions::StateMachine", "Pipeline")
		roleID, _ := s.only(t, "AWS::IAM::Role", "BedrockServiceRole")
		wantValue := map[string]string{
			settings.EnvBucket: "${" + bucketID + "}", settings.EnvStateMachineARN: "${" + smID + "}",
			settings.EnvBedrockRoleARN: "${" + roleID + ".Arn}", settings.EnvEventBusName: "default",
			settings.EnvKMSKeyID: s.cfg.KMSKeyARN,
		}
		for _, fn := range Functions {
			t.Run(name+"/"+fn.Name, func(t *testing.T) {
				want := loadedSettings(t, fn.Name)
				if s.cfg.KMSKeyARN == "" {
					want = slices.DeleteFunc(want, func(k string) bool { return k == settings.EnvKMSKeyID })
				}
				_, props := s.only(t, "AWS::Lambda::Function", fn.ID)
				vars := props["Environment"].(map[string]any)["Variables"].(map[string]any)
				got := slices.Sorted(maps.Keys(vars))
				if !slices.Equal(got, want) {
					t.Fatalf("environment %v, want %v", got, want)
				}
				for k, v := range vars {
					if k == settings.EnvProfiles {
						set, err := profile.Parse([]byte(v.(string)))
						if err != nil {
							t.Fatalf("%s does not parse: %v", k, err)
						}
						if !reflect.DeepEqual(set, s.cfg.Profiles) {
							t.Errorf("%s = %v, want %v", k, set, s.cfg.Profiles)
						}
						continue
					}
					if flat(v) != wantValue[k] {
						t.Errorf("%s = %s, want %s", k, flat(v), wantValue[k])
					}
				}
			})
		}
	}
}

func TestFunctions(t *testing.T) {
	for name, s := range stacks() {
		for _, fn := range Functions {
			t.Run(name+"/"+fn.Name, func(t *testing.T) {
				logsID, _ := s.only(t, "AWS::Logs::LogGroup", fn.ID+"Logs")
				roleID, _ := s.only(t, "AWS::IAM::Role", fn.ID+"Role")
				s.template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
					"Runtime":       "provided.al2023",
					"Architectures": []any{"arm64"},
					"Handler":       "bootstrap",
					"MemorySize":    fn.MemoryMB,
					"Timeout":       fn.Timeout.Seconds(),
					"Role":          map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}},
					"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": map[string]any{"Ref": logsID}},
				})
				s.template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
					"RetentionInDays": s.cfg.LogRetentionDays,
				})
				_, role := s.only(t, "AWS::IAM::Role", fn.ID+"Role")
				if role["ManagedPolicyArns"] != nil {
					t.Errorf("role has managed policies %v", role["ManagedPolicyArns"])
				}
			})
		}
		t.Run(name+"/count", func(t *testing.T) {
			s.template.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(len(Functions)))
		})
	}
}

func TestBucket(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			encryption := map[string]any{"SSEAlgorithm": "AES256"}
			if s.cfg.KMSKeyARN != "" {
				encryption = map[string]any{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": s.cfg.KMSKeyARN}
			}
			s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
				"PublicAccessBlockConfiguration": map[string]any{
					"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
				},
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
					assertions.Match_ObjectLike(&map[string]any{"ServerSideEncryptionByDefault": encryption}),
				}},
				"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
				"OwnershipControls":         map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
			})
			s.template.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{"DeletionPolicy": "Retain"})
			s.template.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
				"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
					assertions.Match_ObjectLike(&map[string]any{
						"Effect": "Deny", "Action": "s3:*", "Principal": map[string]any{"AWS": "*"},
						"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
					}),
				})},
			})
			_, props := s.only(t, "AWS::S3::Bucket", "Bucket")
			rules := props["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)
			var expiring []string
			for _, r := range rules {
				r := r.(map[string]any)
				if r["ExpirationInDays"] != nil {
					expiring = append(expiring, flat(r["Prefix"])+"="+flat(r["ExpirationInDays"]))
				}
			}
			want := []string{"runs/=" + jsonNumber(s.cfg.RunsExpirationDays)}
			if !slices.Equal(expiring, want) {
				t.Errorf("expiring prefixes %v, want %v (results/ must stay)", expiring, want)
			}
		})
	}
}

func jsonNumber(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestRulePatterns: the deployed rules use the very patterns the local bus routes with.
func TestRulePatterns(t *testing.T) {
	for name, s := range stacks() {
		bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
		cases := []struct {
			rule    string
			pattern eventrule.Pattern
			target  string
		}{
			{"InboxObjectCreated", eventrule.InboxObjectCreated("${" + bucketID + "}"), eventrule.TargetIntake},
			{"BatchJobStateChange", eventrule.BatchJobStateChange(), eventrule.TargetJobEvents},
		}
		for _, c := range cases {
			t.Run(name+"/"+c.rule, func(t *testing.T) {
				_, props := s.only(t, "AWS::Events::Rule", c.rule)
				var want any
				if err := json.Unmarshal(c.pattern.JSON(), &want); err != nil {
					t.Fatal(err)
				}
				got := resolveRefs(props["EventPattern"])
				if !reflect.DeepEqual(got, want) {
					gb, _ := json.Marshal(got)
					t.Errorf("pattern\n  %s\nwant\n  %s", gb, c.pattern.JSON())
				}
				if props["EventBusName"] != nil {
					t.Errorf("rule on bus %v, want the default bus", props["EventBusName"])
				}
				assertTarget(t, s, props, c.target)
			})
		}
		t.Run(name+"/schedules", func(t *testing.T) {
			scheduled := map[string]profile.Profile{}
			for _, p := range s.cfg.Profiles {
				if p.Schedule != "" {
					scheduled[p.Name] = p
				}
			}
			rules := 0
			for id, props := range s.resources("AWS::Events::Rule") {
				if props["ScheduleExpression"] == nil {
					continue
				}
				rules++
				targets := props["Targets"].([]any)
				tmpl := targets[0].(map[string]any)["InputTransformer"].(map[string]any)["InputTemplate"].(string)
				var ev struct {
					Source     string `json:"source"`
					DetailType string `json:"detail-type"`
					Detail     struct {
						Profile string `json:"profile"`
					} `json:"detail"`
				}
				// Fill the transformer's placeholders, as EventBridge does, to read the event intake gets.
				filled := regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(tmpl, `"x"`)
				if err := json.Unmarshal([]byte(filled), &ev); err != nil {
					t.Fatalf("%s input template %s: %v", id, tmpl, err)
				}
				p, ok := scheduled[ev.Detail.Profile]
				if !ok {
					t.Errorf("%s names profile %q, not a scheduled one", id, ev.Detail.Profile)
					continue
				}
				sched := eventrule.Scheduled()
				if !slices.Contains(sched.Source, ev.Source) || !slices.Contains(sched.DetailType, ev.DetailType) {
					t.Errorf("%s delivers source %q detail-type %q, which eventrule.Scheduled does not match", id, ev.Source, ev.DetailType)
				}
				if props["ScheduleExpression"] != p.Schedule {
					t.Errorf("%s schedule %v, want %s", id, props["ScheduleExpression"], p.Schedule)
				}
				assertTarget(t, s, props, eventrule.TargetIntake)
			}
			if rules != len(scheduled) {
				t.Errorf("%d schedule rules, want %d", rules, len(scheduled))
			}
		})
	}
}

// resolveRefs turns {"Ref": X} into "${X}" throughout v.
func resolveRefs(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			return "${" + ref + "}"
		}
		out := map[string]any{}
		for k, c := range v {
			out[k] = resolveRefs(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = resolveRefs(c)
		}
		return out
	}
	return v
}

func assertTarget(t *testing.T, s *synthesized, rule map[string]any, fnName string) {
	t.Helper()
	fnID, _ := s.only(t, "AWS::Lambda::Function", functionByName(t, fnName).ID)
	targets := rule["Targets"].([]any)
	if len(targets) != 1 || flat(targets[0].(map[string]any)["Arn"]) != "${"+fnID+".Arn}" {
		t.Errorf("targets %v, want only %s", targets, fnID)
	}
	retry, _ := targets[0].(map[string]any)["RetryPolicy"].(map[string]any)
	if retry["MaximumRetryAttempts"] == nil {
		t.Errorf("target without a retry policy")
	}
}

// TestDefinition: the deployed definition is pipeline.asl.json unchanged, and every ${...} in it
// is one of statemachine.Substitutions, substituted with the ARN of the function it names.
func TestDefinition(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			_, props := s.only(t, "AWS::StepFunctions::StateMachine", "Pipeline")
			def, ok := props["DefinitionString"].(string)
			if !ok {
				t.Fatalf("DefinitionString is %T, want the inlined text", props["DefinitionString"])
			}
			if def != string(statemachine.Definition) {
				t.Errorf("definition differs from statemachine/pipeline.asl.json")
			}
			subs := props["DefinitionSubstitutions"].(map[string]any)
			want := map[string]string{
				statemachine.ChunkerFunctionArn:    "Chunker",
				statemachine.SubmitterFunctionArn:  "Submitter",
				statemachine.ReconcilerFunctionArn: "Reconciler",
			}
			if got, all := slices.Sorted(maps.Keys(subs)), slices.Sorted(slices.Values(statemachine.Substitutions)); !slices.Equal(got, all) {
				t.Errorf("substitutions %v, want %v", got, all)
			}
			for k, fnPrefix := range want {
				fnID, _ := s.only(t, "AWS::Lambda::Function", fnPrefix)
				if flat(subs[k]) != "${"+fnID+".Arn}" {
					t.Errorf("%s = %s, want %s's ARN", k, flat(subs[k]), fnID)
				}
			}
			resolved := regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`).ReplaceAllStringFunc(def, func(m string) string {
				if _, ok := subs[m[2:len(m)-1]]; ok {
					return "arn:aws:lambda:us-east-1:111122223333:function:x"
				}
				return m
			})
			if i := strings.Index(resolved, "${"); i >= 0 {
				t.Errorf("unresolved placeholder at %q", resolved[i:min(len(resolved), i+40)])
			}
			var asl map[string]any
			if err := json.Unmarshal([]byte(resolved), &asl); err != nil {
				t.Errorf("resolved definition is not JSON: %v", err)
			}
		})
	}
}

func TestStateMachine(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			smID, props := s.only(t, "AWS::StepFunctions::StateMachine", "Pipeline")
			logsID, _ := s.only(t, "AWS::Logs::LogGroup", "PipelineLogs")
			if props["StateMachineType"] != "STANDARD" {
				t.Errorf("type %v", props["StateMachineType"])
			}
			if flat(props["TracingConfiguration"]) != `{"Enabled":true}` {
				t.Errorf("tracing %s", flat(props["TracingConfiguration"]))
			}
			lc := props["LoggingConfiguration"].(map[string]any)
			dest := lc["Destinations"].([]any)[0].(map[string]any)["CloudWatchLogsLogGroup"].(map[string]any)["LogGroupArn"]
			if lc["Level"] != "ALL" || flat(dest) != "${"+logsID+".Arn}" {
				t.Errorf("logging %v", lc)
			}
			roleID := strings.TrimSuffix(strings.TrimPrefix(flat(props["RoleArn"]), "${"), ".Arn}")
			got := s.grants(roleID)
			var fns []string
			for _, id := range []string{"Chunker", "Submitter", "Reconciler"} {
				fnID, _ := s.only(t, "AWS::Lambda::Function", id)
				fns = append(fns, "${"+fnID+".Arn}")
			}
			sort.Strings(fns)
			if !slices.Equal(got["lambda:InvokeFunction"], fns) {
				t.Errorf("lambda:InvokeFunction on %v, want %v", got["lambda:InvokeFunction"], fns)
			}
			bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
			if want := []string{"${" + bucketID + ".Arn}/runs/*"}; !slices.Equal(got["s3:GetObject"], want) {
				t.Errorf("s3:GetObject on %v, want %v", got["s3:GetObject"], want)
			}
			if want := []string{"${" + smID + "}"}; !slices.Equal(got["states:StartExecution"], want) {
				t.Errorf("states:StartExecution on %v, want %v", got["states:StartExecution"], want)
			}
			execs := []string{
				"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${" + smID + ".Name}/*",
				"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${" + smID + ".Name}:*",
			}
			if !slices.Equal(got["states:DescribeExecution"], execs) || !slices.Equal(got["states:StopExecution"], execs) {
				t.Errorf("child execution access %v / %v, want %v", got["states:DescribeExecution"], got["states:StopExecution"], execs)
			}
			for a, r := range got {
				if slices.Contains(r, "*") && !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "xray:") {
					t.Errorf("%s on *: only log delivery and X-Ray may have no resource", a)
				}
			}
		})
	}
}

func TestAlarms(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			alarms := s.resources("AWS::CloudWatch::Alarm")
			if len(alarms) != 3+len(Functions) {
				t.Errorf("%d alarms, want %d", len(alarms), 3+len(Functions))
			}
			metrics := map[string]int{}
			for _, a := range alarms {
				metrics[flat(a["Namespace"])+"/"+flat(a["MetricName"])]++
				if s.cfg.AlarmEmail == "" && a["AlarmActions"] != nil {
					t.Errorf("alarm actions without an email: %v", a["AlarmActions"])
				}
				if s.cfg.AlarmEmail != "" && len(list(a["AlarmActions"])) != 1 {
					t.Errorf("alarm actions %v, want the topic", a["AlarmActions"])
				}
			}
			want := map[string]int{"AWS/States/ExecutionsFailed": 1, "AWS/States/ExecutionsTimedOut": 1, "AWS/States/ExecutionsAborted": 1, "AWS/Lambda/Errors": len(Functions)}
			if !maps.Equal(metrics, want) {
				t.Errorf("alarm metrics %v, want %v", metrics, want)
			}
			subs := s.resources("AWS::SNS::Subscription")
			if s.cfg.AlarmEmail == "" {
				s.template.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(0))
				return
			}
			s.template.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(1))
			if len(subs) != 1 {
				t.Fatalf("%d subscriptions", len(subs))
			}
			for _, sub := range subs {
				if sub["Protocol"] != "email" || sub["Endpoint"] != s.cfg.AlarmEmail {
					t.Errorf("subscription %v", sub)
				}
			}
		})
	}
}

func TestOutputs(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			outputs := s.raw["Outputs"].(map[string]any)
			bucketID, _ := s.only(t, "AWS::S3::Bucket", "Bucket")
			smID, _ := s.only(t, "AWS::StepFunctions::StateMachine", "Pipeline")
			roleID, _ := s.only(t, "AWS::IAM::Role", "BedrockServiceRole")
			want := map[string]string{
				stackout.BucketName: "${" + bucketID + "}", stackout.StateMachineArn: "${" + smID + "}",
				stackout.EventBusName: DefaultEventBus, stackout.Region: "${AWS::Region}", OutputBedrockRoleArn: "${" + roleID + ".Arn}",
			}
			if got := slices.Sorted(maps.Keys(outputs)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
				t.Errorf("outputs %v", got)
			}
			for k, v := range want {
				if got := flat(outputs[k].(map[string]any)["Value"]); got != v {
					t.Errorf("output %s = %s, want %s", k, got, v)
				}
			}
		})
	}
}

// TestNoPhysicalNames: no resource is given a hard-coded name, so stacks can coexist. A name
// that refers to another resource (a permission's function) is not a physical name.
func TestNoPhysicalNames(t *testing.T) {
	names := []string{"BucketName", "FunctionName", "RoleName", "StateMachineName", "LogGroupName", "TopicName", "Name", "PolicyName"}
	for name, s := range stacks() {
		for id, r := range s.raw["Resources"].(map[string]any) {
			r := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			for _, n := range names {
				v, ok := props[n].(string)
				if !ok || (r["Type"] == "AWS::IAM::Policy" && n == "PolicyName") {
					continue
				}
				t.Errorf("%s: %s %s has %s %v", name, r["Type"], id, n, v)
			}
		}
	}
}

// TestResourceInventory: the stack holds exactly these resources; in particular no custom
// resource or helper Lambda sneaks in (the bucket's EventBridge switch is native).
func TestResourceInventory(t *testing.T) {
	for name, s := range stacks() {
		t.Run(name, func(t *testing.T) {
			schedules := 0
			for _, p := range s.cfg.Profiles {
				if p.Schedule != "" {
					schedules++
				}
			}
			fns := len(Functions)
			want := map[string]int{
				"AWS::S3::Bucket": 1, "AWS::S3::BucketPolicy": 1,
				"AWS::Lambda::Function": fns, "AWS::Lambda::Permission": 2 + schedules,
				"AWS::Logs::LogGroup": fns + 1, "AWS::StepFunctions::StateMachine": 1,
				"AWS::Events::Rule": 2 + schedules, "AWS::CloudWatch::Alarm": 3 + fns,
				// a role per function, the state machine's and Bedrock's
				"AWS::IAM::Role": fns + 2,
				// each role's default policy, the state machine's child-execution policy, and the
				// state machine access of intake, submitter and jobevents
				"AWS::IAM::Policy": fns + 2 + 1 + 3,
			}
			if s.cfg.AlarmEmail != "" {
				want["AWS::SNS::Topic"], want["AWS::SNS::TopicPolicy"], want["AWS::SNS::Subscription"] = 1, 1, 1
			}
			got := map[string]int{}
			for _, r := range s.raw["Resources"].(map[string]any) {
				got[r.(map[string]any)["Type"].(string)]++
			}
			if !maps.Equal(got, want) {
				t.Errorf("resources\n  %v\nwant\n  %v", got, want)
			}
		})
	}
}

// TestCDKJSONProfilesAreTheExamples: the repository's cdk.json deploys the profiles the example
// datasets name, so `bbatch run --stack ... --profile claude examples/tickets-claude.jsonl` works
// on a fresh deployment.
func TestCDKJSONProfilesAreTheExamples(t *testing.T) {
	b, err := os.ReadFile("../examples/profiles.json")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := profile.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(minimal.cfg.Profiles, examples) {
		t.Errorf("cdk.json profiles\n  %v\nexamples/profiles.json\n  %v", minimal.cfg.Profiles, examples)
	}
}
