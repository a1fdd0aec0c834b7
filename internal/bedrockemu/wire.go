package bedrockemu

import (
	"bytes"
	"encoding/json"
	"sort"
	"time"
)

// Wire shapes of the restJson1 bodies (reference §1). Field names are the JSON names on the wire.

type s3InputDataConfig struct {
	S3URI         string `json:"s3Uri"`
	S3InputFormat string `json:"s3InputFormat,omitempty"`
	S3BucketOwner string `json:"s3BucketOwner,omitempty"`
}

type inputDataConfig struct {
	S3InputDataConfig s3InputDataConfig `json:"s3InputDataConfig"`
}

type s3OutputDataConfig struct {
	S3URI             string `json:"s3Uri"`
	S3EncryptionKeyID string `json:"s3EncryptionKeyId,omitempty"`
	S3BucketOwner     string `json:"s3BucketOwner,omitempty"`
}

type outputDataConfig struct {
	S3OutputDataConfig s3OutputDataConfig `json:"s3OutputDataConfig"`
}

type tag struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type vpcConfig struct {
	SubnetIDs        []string `json:"subnetIds"`
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

type createRequest struct {
	JobName                *string         `json:"jobName"`
	RoleARN                *string         `json:"roleArn"`
	ClientRequestToken     *string         `json:"clientRequestToken"`
	ModelID                *string         `json:"modelId"`
	InputDataConfig        json.RawMessage `json:"inputDataConfig"`
	OutputDataConfig       json.RawMessage `json:"outputDataConfig"`
	ModelInvocationType    *string         `json:"modelInvocationType"`
	TimeoutDurationInHours *int            `json:"timeoutDurationInHours"`
	Tags                   []tag           `json:"tags"`
	VPCConfig              *vpcConfig      `json:"vpcConfig"`
}

type createResponse struct {
	JobARN string `json:"jobArn"`
}

// jobView is the body of GetModelInvocationJob and one item of ListModelInvocationJobs.
type jobView struct {
	JobARN                 string           `json:"jobArn"`
	JobName                string           `json:"jobName"`
	ModelID                string           `json:"modelId"`
	ClientRequestToken     string           `json:"clientRequestToken,omitempty"`
	RoleARN                string           `json:"roleArn"`
	Status                 string           `json:"status"`
	Message                string           `json:"message,omitempty"`
	SubmitTime             string           `json:"submitTime"`
	LastModifiedTime       string           `json:"lastModifiedTime,omitempty"`
	EndTime                string           `json:"endTime,omitempty"`
	InputDataConfig        inputDataConfig  `json:"inputDataConfig"`
	OutputDataConfig       outputDataConfig `json:"outputDataConfig"`
	VPCConfig              *vpcConfig       `json:"vpcConfig,omitempty"`
	TimeoutDurationInHours int              `json:"timeoutDurationInHours"`
	JobExpirationTime      string           `json:"jobExpirationTime"`
	ModelInvocationType    string           `json:"modelInvocationType"`
	TotalRecordCount       int64            `json:"totalRecordCount"`
	ProcessedRecordCount   int64            `json:"processedRecordCount"`
	SuccessRecordCount     int64            `json:"successRecordCount"`
	ErrorRecordCount       int64            `json:"errorRecordCount"`
}

type listResponse struct {
	InvocationJobSummaries []jobView `json:"invocationJobSummaries"`
	NextToken              string    `json:"nextToken,omitempty"`
}

// manifest is manifest.json.out (reference §3), fields in the documented order.
type manifest struct {
	TotalRecordCount     int64 `json:"totalRecordCount"`
	ProcessedRecordCount int64 `json:"processedRecordCount"`
	SuccessRecordCount   int64 `json:"successRecordCount"`
	ErrorRecordCount     int64 `json:"errorRecordCount"`
	InputTokenCount      int64 `json:"inputTokenCount"`
	OutputTokenCount     int64 `json:"outputTokenCount"`
}

// apiTime formats a body timestamp as the RFC 3339 date-time the SDK parses.
func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// unionMember decodes a restJson1 union: exactly one non-null member, which must be want.
// field names the union in validation messages.
func unionMember(raw json.RawMessage, field, want string, into any) *apiError {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		var f fieldErrors
		f.addNull(field)
		return f.err()
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &members); err != nil {
		return errValidation("Could not parse %s: expected a JSON object", field)
	}
	var set []string
	for k, v := range members {
		if !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			set = append(set, k)
		}
	}
	sort.Strings(set)
	if len(set) != 1 {
		return errValidation("%s must have exactly one member set, found %d", field, len(set))
	}
	if set[0] != want {
		return errValidation("%s: unknown union member %q; the only supported member is %s", field, set[0], want)
	}
	if err := json.Unmarshal(members[want], into); err != nil {
		return errValidation("Could not parse %s.%s: %v", field, want, err)
	}
	return nil
}
