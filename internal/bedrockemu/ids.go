package bedrockemu

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// deterministicID returns n characters of [a-z0-9] derived from the fault seed and the keys, so
// a replayed test or demo sees the same job ids.
func (e *Emulator) deterministicID(n int, keys ...string) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		r := e.cfg.Faults.Roll(append(keys, strconv.Itoa(i))...)
		sb.WriteByte(alnum[int(r*float64(len(alnum)))])
	}
	return sb.String()
}

var (
	jobIdentifierPattern = regexp.MustCompile(`^((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})$`)
	foundationModelARN   = regexp.MustCompile(`^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:([0-9]{12})?:foundation-model/(.+)$`)
	inferenceProfileARN  = regexp.MustCompile(`^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:inference-profile/(.+)$`)
)

// profilePrefixes are the geography prefixes of cross-region inference profile ids.
var profilePrefixes = []string{"us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"}

// profileBase returns the base model id inside a cross-region inference profile id
// ("us.amazon.nova-lite-v1:0" -> "amazon.nova-lite-v1:0").
func profileBase(id string) (string, bool) {
	geo, base, ok := strings.Cut(id, ".")
	if !ok {
		return "", false
	}
	for _, p := range profilePrefixes {
		if geo == p {
			return base, true
		}
	}
	return "", false
}

// reportedModelID is the modelId Get and List return: a cross-region profile id becomes the full
// inference-profile ARN (reference §1.2); anything else is returned as submitted (§9.12).
func (e *Emulator) reportedModelID(modelID string) string {
	if _, ok := profileBase(modelID); ok {
		return fmt.Sprintf("arn:aws:bedrock:%s:%s:inference-profile/%s", e.cfg.Region, e.cfg.AccountID, modelID)
	}
	return modelID
}

// foundationModel returns the base model behind modelID and its foundation-model ARN, used as
// the event's batchModelId and as the key of the per-model job quota. A model that cannot be
// resolved to a base id (custom model, application inference profile) keys as itself.
func (e *Emulator) foundationModel(modelID string) (base, arn string) {
	base = modelID
	if m := foundationModelARN.FindStringSubmatch(modelID); m != nil {
		return m[3], modelID
	}
	if m := inferenceProfileARN.FindStringSubmatch(modelID); m != nil {
		base = m[2]
	} else if strings.HasPrefix(modelID, "arn:") {
		return modelID, modelID
	}
	if b, ok := profileBase(base); ok {
		base = b
	}
	return base, fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", e.cfg.Region, base)
}
