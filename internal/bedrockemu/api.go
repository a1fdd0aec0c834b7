package bedrockemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const maxRequestBody = 1 << 20

// handleCreate serves CreateModelInvocationJob (POST /model-invocation-job).
func (e *Emulator) handleCreate(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		writeError(w, errValidation("Could not read the request body"))
		return
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, errValidation("Could not parse the request body as JSON: %v", err))
		return
	}
	arn, apiErr := e.create(req)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	e.flush()
	writeJSON(w, createResponse{JobARN: arn})
}

// create applies, in order: the create-throttle fault, request validation, clientRequestToken
// replay, jobName uniqueness, the per-model quota and the create-quota fault.
func (e *Emulator) create(req createRequest) (string, *apiError) {
	name := ""
	if req.JobName != nil {
		name = *req.JobName
	}
	e.mu.Lock()
	attempt := e.attempts[name]
	e.attempts[name]++
	e.mu.Unlock()
	n := strconv.Itoa(attempt)
	if e.cfg.Faults.Hit(e.cfg.Faults.CreateThrottle, "create-throttle", name, n) {
		return "", errThrottling()
	}
	spec, apiErr := e.validateCreate(req)
	if apiErr != nil {
		return "", apiErr
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if spec.token != "" {
		if j, ok := e.byToken[spec.token]; ok {
			if j.spec.fingerprint() != spec.fingerprint() {
				return "", errConflict("The clientRequestToken %s was already used for job %s with different parameters. Use a new token for a different request.", spec.token, j.arn)
			}
			return j.arn, nil
		}
	}
	if j, ok := e.byName[spec.Name]; ok {
		return "", errValidation("The job name %s is already in use by job %s. Job names must be unique in the account and Region; use a different job name.", spec.Name, j.arn)
	}
	base, fmARN := e.foundationModel(spec.ModelID)
	active := 0
	for _, j := range e.order {
		if j.quotaKey == base && !terminal(j.status) {
			active++
		}
	}
	if active >= e.cfg.Limits.MaxActiveJobs {
		return "", errQuota("You have reached the limit of %d in-progress and submitted batch inference jobs for model %s. Wait for a job to finish or request a quota increase through Service Quotas.", e.cfg.Limits.MaxActiveJobs, base)
	}
	if e.cfg.Faults.Hit(e.cfg.Faults.CreateQuota, "create-quota", name, n) {
		return "", errQuota("You have reached the limit of %d in-progress and submitted batch inference jobs for model %s. Wait for a job to finish or request a quota increase through Service Quotas.", e.cfg.Limits.MaxActiveJobs, base)
	}

	id := e.deterministicID(12, "job-id", spec.Name, strconv.Itoa(len(e.order)))
	for i := 0; e.jobs[id] != nil; i++ {
		id = e.deterministicID(12, "job-id", spec.Name, strconv.Itoa(len(e.order)), strconv.Itoa(i))
	}
	now := e.cfg.Clock.Now()
	j := &job{
		seq:        len(e.order),
		id:         id,
		arn:        fmt.Sprintf("arn:aws:bedrock:%s:%s:model-invocation-job/%s", e.cfg.Region, e.cfg.AccountID, id),
		spec:       spec,
		quotaKey:   base,
		modelARN:   fmARN,
		submit:     now,
		expiration: now.Add(time.Duration(spec.TimeoutHours) * time.Hour),
		next:       now.Add(e.phase(5)),
	}
	e.jobs[id] = j
	e.order = append(e.order, j)
	e.byName[spec.Name] = j
	if spec.token != "" {
		e.byToken[spec.token] = j
	}
	e.setStatusLocked(j, StatusSubmitted, "")
	e.poke()
	return j.arn, nil
}

// lookup finds a job by a bare 12-character id or a full job ARN.
func (e *Emulator) lookup(identifier string) (*job, *apiError) {
	if !jobIdentifierPattern.MatchString(identifier) {
		var f fieldErrors
		f.add(identifier, "jobIdentifier", "Member must satisfy regular expression pattern: "+jobIdentifierPattern.String())
		return nil, f.err()
	}
	id := identifier
	if strings.HasPrefix(identifier, "arn:") {
		prefix := fmt.Sprintf("arn:aws:bedrock:%s:%s:model-invocation-job/", e.cfg.Region, e.cfg.AccountID)
		if !strings.HasPrefix(identifier, prefix) {
			return nil, errNotFound("The specified job %s was not found. Check the job identifier and try again.", identifier)
		}
		id = strings.TrimPrefix(identifier, prefix)
	}
	j, ok := e.jobs[id]
	if !ok {
		return nil, errNotFound("The specified job %s was not found. Check the job identifier and try again.", identifier)
	}
	return j, nil
}

// handleGet serves GetModelInvocationJob (GET /model-invocation-job/{jobIdentifier}).
func (e *Emulator) handleGet(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	j, apiErr := e.lookup(r.PathValue("jobIdentifier"))
	var v jobView
	if apiErr == nil {
		v = e.viewLocked(j)
	}
	e.mu.Unlock()
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, v)
}

// handleStop serves StopModelInvocationJob (POST /model-invocation-job/{jobIdentifier}/stop).
// A job that is already Stopping is left alone (200); a terminal job is a ConflictException.
func (e *Emulator) handleStop(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	j, apiErr := e.lookup(r.PathValue("jobIdentifier"))
	if apiErr == nil && terminal(j.status) {
		apiErr = errConflict("The job %s is in status %s and cannot be stopped. Only jobs that are Submitted, Validating, Scheduled or InProgress can be stopped.", j.arn, j.status)
	}
	if apiErr == nil && j.status != StatusStopping {
		e.setStatusLocked(j, StatusStopping, "")
		j.next = e.cfg.Clock.Now().Add(e.phase(5))
		e.poke()
	}
	e.mu.Unlock()
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	e.flush()
	w.WriteHeader(http.StatusOK)
}

// defaultMaxResults is the page size of ListModelInvocationJobs when maxResults is absent (§9.8).
const defaultMaxResults = 100

// handleList serves ListModelInvocationJobs (GET /model-invocation-jobs).
func (e *Emulator) handleList(w http.ResponseWriter, r *http.Request) {
	q, apiErr := parseListQuery(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	e.mu.Lock()
	var matched []*job
	for _, j := range e.order {
		if q.status != "" && j.status != q.status {
			continue
		}
		if q.nameContains != "" && !strings.Contains(j.spec.Name, q.nameContains) {
			continue
		}
		if !q.after.IsZero() && !j.submit.After(q.after) {
			continue
		}
		if !q.before.IsZero() && !j.submit.Before(q.before) {
			continue
		}
		matched = append(matched, j)
	}
	less := func(a, b *job) bool {
		if !a.submit.Equal(b.submit) {
			return a.submit.Before(b.submit)
		}
		return a.seq < b.seq
	}
	sort.SliceStable(matched, func(i, k int) bool {
		if q.ascending {
			return less(matched[i], matched[k])
		}
		return less(matched[k], matched[i])
	})
	start := 0
	if q.cursor != nil {
		start = len(matched)
		for i, j := range matched {
			if (q.ascending && less(q.cursor, j)) || (!q.ascending && less(j, q.cursor)) {
				start = i
				break
			}
		}
	}
	resp := listResponse{InvocationJobSummaries: []jobView{}}
	end := min(start+q.max, len(matched))
	for _, j := range matched[start:end] {
		resp.InvocationJobSummaries = append(resp.InvocationJobSummaries, e.viewLocked(j))
	}
	if end < len(matched) {
		last := matched[end-1]
		resp.NextToken = encodeCursor(last)
	}
	e.mu.Unlock()
	writeJSON(w, resp)
}

type listQuery struct {
	status, nameContains string
	after, before        time.Time
	ascending            bool
	max                  int
	cursor               *job // a position, only submit and seq are set
}

func parseListQuery(r *http.Request) (listQuery, *apiError) {
	v := r.URL.Query()
	q := listQuery{max: defaultMaxResults}
	var f fieldErrors
	if s := v.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			f.add(s, "maxResults", "Member must be an integer")
		case n < 1:
			f.add(s, "maxResults", "Member must have value greater than or equal to 1")
		case n > 1000:
			f.add(s, "maxResults", "Member must have value less than or equal to 1000")
		default:
			q.max = n
		}
	}
	if s := v.Get("statusEquals"); s != "" {
		ok := false
		for _, st := range allStatuses {
			ok = ok || st == s
		}
		if !ok {
			f.add(s, "statusEquals", "Member must satisfy enum value set: ["+strings.Join(allStatuses, ", ")+"]")
		}
		q.status = s
	}
	if v.Has("nameContains") {
		s := v.Get("nameContains")
		checkString(&f, "nameContains", &s, false, 1, 63, jobNameRe)
		q.nameContains = s
	}
	if s := v.Get("sortBy"); s != "" && s != "CreationTime" {
		f.add(s, "sortBy", "Member must satisfy enum value set: [CreationTime]")
	}
	switch s := v.Get("sortOrder"); s {
	case "", "Descending":
	case "Ascending":
		q.ascending = true
	default:
		f.add(s, "sortOrder", "Member must satisfy enum value set: [Ascending, Descending]")
	}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"submitTimeAfter", &q.after}, {"submitTimeBefore", &q.before}} {
		if s := v.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				f.add(s, p.name, "Member must be a date-time in RFC 3339 format")
			}
			*p.into = t
		}
	}
	if v.Has("nextToken") {
		s := v.Get("nextToken")
		checkString(&f, "nextToken", &s, false, 1, 2048, nextTokenRe)
		if len(f) == 0 {
			c, ok := decodeCursor(s)
			if !ok {
				return q, errValidation("The provided nextToken is not valid. Use the nextToken returned by the previous ListModelInvocationJobs call.")
			}
			q.cursor = c
		}
	}
	return q, f.err()
}

// The nextToken is the position of the last job returned (submit time and creation sequence),
// so paging stays consistent while new jobs are created.
func encodeCursor(j *job) string {
	raw := fmt.Sprintf("v1.%d.%d", j.submit.UnixNano(), j.seq)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (*job, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return nil, false
	}
	nanos, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return &job{submit: time.Unix(0, nanos), seq: seq}, true
}

// viewLocked renders the Get/List body of j.
func (e *Emulator) viewLocked(j *job) jobView {
	in := j.spec.Input
	if in.S3InputDataConfig.S3InputFormat == "" {
		in.S3InputDataConfig.S3InputFormat = "JSONL"
	}
	return jobView{
		JobARN:                 j.arn,
		JobName:                j.spec.Name,
		ModelID:                e.reportedModelID(j.spec.ModelID),
		ClientRequestToken:     j.spec.token,
		RoleARN:                j.spec.RoleARN,
		Status:                 j.status,
		Message:                j.message,
		SubmitTime:             apiTime(j.submit),
		LastModifiedTime:       apiTime(j.lastModified),
		EndTime:                apiTime(j.end),
		InputDataConfig:        in,
		OutputDataConfig:       j.spec.Output,
		VPCConfig:              j.spec.VPC,
		TimeoutDurationInHours: j.spec.TimeoutHours,
		JobExpirationTime:      apiTime(j.expiration),
		ModelInvocationType:    j.spec.InvocationType,
		TotalRecordCount:       j.total,
		ProcessedRecordCount:   j.processed,
		SuccessRecordCount:     j.success,
		ErrorRecordCount:       j.errors,
	}
}
