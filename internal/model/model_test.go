package model_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

func TestDetect(t *testing.T) {
	cases := []struct {
		id, invocation string
		want           model.Family
	}{
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "", model.Claude},
		{"us.anthropic.claude-3-5-haiku-20241022-v1:0", "InvokeModel", model.Claude},
		{"global.anthropic.claude-sonnet-4-20250514-v1:0", "", model.Claude},
		{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "", model.Claude},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "", model.Claude},
		{"amazon.nova-lite-v1:0", "", model.Nova},
		{"apac.amazon.nova-micro-v1:0", "", model.Nova},
		{"arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.amazon.nova-2-lite-v1:0", "", model.Nova},
		{"amazon.titan-embed-text-v2:0", "", model.TitanEmbed},
		{"amazon.titan-embed-image-v1", "", model.TitanEmbed},
		{"amazon.titan-text-express-v1", "", model.TitanText},
		{"cohere.embed-english-v3", "", model.CohereEmbed},
		{"cohere.embed-multilingual-v3", "", model.CohereEmbed},
		{"meta.llama3-1-70b-instruct-v1:0", "", model.Llama},
		{"us.meta.llama3-2-11b-instruct-v1:0", "", model.Llama},
		{"mistral.mistral-large-2407-v1:0", "", model.Mistral},
		{"mistral.mixtral-8x7b-instruct-v0:1", "", model.Mistral},
		{"amazon.nova-pro-v1:0", "Converse", model.Converse},
		{"meta.llama3-1-8b-instruct-v1:0", "Converse", model.Converse},
		{"some.future-model-v1:0", "Converse", model.Converse},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6", "", model.Auto},
		{"arn:aws:bedrock:us-east-1:123456789012:custom-model/anthropic.claude-3-haiku-20240307-v1:0/abc123", "", model.Auto},
	}
	for _, c := range cases {
		t.Run(c.id+"/"+c.invocation, func(t *testing.T) {
			got, err := model.Detect(c.id, c.invocation)
			if err != nil || got != c.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	for _, id := range []string{"", "ai21.jamba-1-5-large-v1:0", "amazon.nova-canvas-v1:0", "xx.anthropic.claude-3-haiku-20240307-v1:0"} {
		t.Run("unknown "+id, func(t *testing.T) {
			if _, err := model.Detect(id, ""); !errors.Is(err, model.ErrUnknownModel) {
				t.Fatalf("Detect(%q) err = %v, want ErrUnknownModel", id, err)
			}
		})
	}
	t.Run("bad invocation type", func(t *testing.T) {
		if _, err := model.Detect("amazon.nova-lite-v1:0", "Batch"); err == nil {
			t.Fatal("Detect with invocation type Batch succeeded")
		}
	})
}

func TestBaseID(t *testing.T) {
	cases := map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":                                                  "anthropic.claude-3-haiku-20240307-v1:0",
		"us.amazon.nova-lite-v1:0":                                                                "amazon.nova-lite-v1:0",
		"us-gov.anthropic.claude-3-haiku-20240307-v1:0":                                           "anthropic.claude-3-haiku-20240307-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-8b-instruct-v1:0":              "meta.llama3-1-8b-instruct-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.amazon.nova-2-lite-v1:0": "amazon.nova-2-lite-v1:0",
		"arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/amazon.titan-embed-text-v2:0":     "amazon.titan-embed-text-v2:0",
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6":       "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			if got := model.BaseID(in); got != want {
				t.Fatalf("BaseID = %q, want %q", got, want)
			}
		})
	}
}

func TestParseFamily(t *testing.T) {
	for _, f := range model.Families {
		if got, err := model.ParseFamily(string(f)); err != nil || got != f {
			t.Errorf("ParseFamily(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := model.ParseFamily("gpt"); !errors.Is(err, model.ErrUnknownModel) {
		t.Errorf("ParseFamily(gpt) err = %v", err)
	}
}

func TestPerRecordUsage(t *testing.T) {
	without := []model.Family{model.CohereEmbed, model.Mistral}
	for _, f := range model.Families {
		if got, want := f.PerRecordUsage(), !slices.Contains(without, f); got != want {
			t.Errorf("%s.PerRecordUsage() = %v, want %v", f, got, want)
		}
	}
}
