package sfnlocal

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/asl"
)

const targetPrefix = "AWSStepFunctions."

// Server serves the Step Functions API subset over an asl.Engine on the awsJson1.0 protocol.
// It is an http.Handler; mount it at "/".
type Server struct {
	engine *asl.Engine
	subs   map[string]string
}

// New returns a server over engine. subs are definition substitutions applied to every
// CreateStateMachine definition (the API itself has none; CloudFormation applies them).
func New(engine *asl.Engine, subs map[string]string) *Server {
	return &Server{engine: engine, subs: subs}
}

// apiError is a Step Functions error response.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func clientError(typ, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typ, msg: fmt.Sprintf(format, args...)}
}

// ServeHTTP dispatches on X-Amz-Target.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, typ: "UnknownOperationException", msg: "only POST is supported"})
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok {
		writeError(w, clientError("UnknownOperationException", "missing or unknown X-Amz-Target %q", r.Header.Get("X-Amz-Target")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		writeError(w, clientError("SerializationException", "read request body: %v", err))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	var out any
	switch op {
	case "CreateStateMachine":
		out, err = handle(body, s.createStateMachine)
	case "DescribeStateMachine":
		out, err = handle(body, s.describeStateMachine)
	case "StartExecution":
		out, err = handle(body, s.startExecution)
	case "DescribeExecution":
		out, err = handle(body, s.describeExecution)
	case "StopExecution":
		out, err = handle(body, s.stopExecution)
	case "ListExecutions":
		out, err = handle(body, s.listExecutions)
	case "GetExecutionHistory":
		out, err = handle(body, s.getExecutionHistory)
	case "SendTaskSuccess":
		out, err = handle(body, s.sendTaskSuccess)
	case "SendTaskFailure":
		out, err = handle(body, s.sendTaskFailure)
	case "SendTaskHeartbeat":
		out, err = handle(body, s.sendTaskHeartbeat)
	default:
		err = clientError("UnknownOperationException", "operation %s is not supported by sfnlocal", op)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, &apiError{status: http.StatusInternalServerError, typ: "InternalFailure", msg: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-RequestId", strconv.FormatInt(time.Now().UnixNano(), 36))
	_, _ = w.Write(b)
}

func handle[In any](body []byte, f func(*In) (any, error)) (any, error) {
	in := new(In)
	if err := json.Unmarshal(body, in); err != nil {
		return nil, clientError("SerializationException", "invalid request body: %v", err)
	}
	return f(in)
}

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = mapEngineError(err)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", ae.typ)
	w.WriteHeader(ae.status)
	b, _ := json.Marshal(map[string]string{"__type": ae.typ, "message": ae.msg})
	_, _ = w.Write(b)
}

// mapEngineError translates asl errors into the Step Functions errors of the same meaning.
func mapEngineError(err error) *apiError {
	var le *asl.LoadError
	switch {
	case errors.As(err, &le):
		return clientError("InvalidDefinition", "%s", le.Error())
	case errors.Is(err, asl.ErrExecutionAlreadyExists):
		return clientError("ExecutionAlreadyExists", "Execution Already Exists: %s", err)
	case errors.Is(err, asl.ErrInvalidName):
		return clientError("InvalidName", "Invalid Name: %s", err)
	case errors.Is(err, asl.ErrInvalidExecutionInput):
		return clientError("InvalidExecutionInput", "Invalid Execution Input: %s", err)
	case errors.Is(err, asl.ErrInvalidToken):
		return clientError("InvalidToken", "Invalid Token: 'Invalid token'")
	case errors.Is(err, asl.ErrTaskDoesNotExist):
		return clientError("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'")
	case errors.Is(err, asl.ErrTaskTimedOut):
		return clientError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
	case errors.Is(err, asl.ErrInvalidOutput):
		return clientError("InvalidOutput", "Invalid Output: %s", err)
	case errors.Is(err, asl.ErrStateMachineExists):
		return clientError("StateMachineAlreadyExists", "State Machine Already Exists: %s", err)
	}
	return &apiError{status: http.StatusInternalServerError, typ: "InternalFailure", msg: err.Error()}
}

// epoch renders a timestamp as awsJson1.0 does: seconds since the epoch as a JSON number.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(fmt.Sprintf("%d.%03d", ms/1000, ms%1000)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type createStateMachineInput struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	RoleArn    string `json:"roleArn"`
	Type       string `json:"type"`
}

func (s *Server) createStateMachine(in *createStateMachineInput) (any, error) {
	if in.Type != "" && in.Type != "STANDARD" {
		return nil, clientError("ValidationException", "only STANDARD state machines are supported, got %q", in.Type)
	}
	m, err := s.engine.AddMachine(in.Name, in.RoleArn, []byte(in.Definition), s.subs)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stateMachineArn": m.ARN, "creationDate": epoch(m.CreationDate)}, nil
}

func (s *Server) machine(arn string) (*asl.Machine, error) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":stateMachine:") {
		return nil, clientError("InvalidArn", "Invalid Arn: '%s'", arn)
	}
	m, ok := s.engine.MachineByARN(arn)
	if !ok {
		return nil, clientError("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}

func (s *Server) execution(arn string) (*asl.Execution, error) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":execution:") {
		return nil, clientError("InvalidArn", "Invalid Arn: '%s'", arn)
	}
	x, ok := s.engine.ExecutionByARN(arn)
	if !ok {
		return nil, clientError("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return x, nil
}

type arnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
}

func (s *Server) describeStateMachine(in *arnInput) (any, error) {
	m, err := s.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stateMachineArn": m.ARN, "name": m.Name, "status": "ACTIVE", "definition": m.Source,
		"roleArn": m.RoleARN, "type": "STANDARD", "creationDate": epoch(m.CreationDate)}, nil
}

type startExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
}

func (s *Server) startExecution(in *startExecutionInput) (any, error) {
	m, err := s.machine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	var input []byte
	if in.Input != nil {
		input = []byte(*in.Input)
	}
	x, _, err := s.engine.Start(m, in.Name, input)
	if err != nil {
		return nil, err
	}
	return map[string]any{"executionArn": x.ARN, "startDate": epoch(x.StartDate)}, nil
}

type executionInput struct {
	ExecutionArn string `json:"executionArn"`
}

func (s *Server) describeExecution(in *executionInput) (any, error) {
	x, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	snap := x.Snapshot()
	out := map[string]any{
		"executionArn":    x.ARN,
		"stateMachineArn": x.Machine.ARN,
		"name":            x.Name,
		"status":          snap.Status,
		"startDate":       epoch(x.StartDate),
		"input":           x.Input,
		"inputDetails":    map[string]bool{"included": true},
		"redriveCount":    0,
	}
	if sd := epochPtr(snap.StopDate); sd != nil {
		out["stopDate"] = sd
	}
	if snap.Status == asl.StatusSucceeded {
		out["output"] = snap.Output
		out["outputDetails"] = map[string]bool{"included": true}
	}
	if snap.Error != "" {
		out["error"] = snap.Error
	}
	if snap.Cause != "" {
		out["cause"] = snap.Cause
	}
	if x.MapRunARN != "" {
		out["mapRunArn"] = x.MapRunARN
	}
	return out, nil
}

type stopExecutionInput struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

func (s *Server) stopExecution(in *stopExecutionInput) (any, error) {
	x, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	x.Stop(in.Error, in.Cause)
	return map[string]any{"stopDate": epoch(s.engine.Clock().Now())}, nil
}

type listExecutionsInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	MapRunArn       string `json:"mapRunArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

func (s *Server) listExecutions(in *listExecutionsInput) (any, error) {
	var all []*asl.Execution
	switch {
	case in.MapRunArn != "" && in.StateMachineArn != "":
		return nil, clientError("ValidationException", "specify stateMachineArn or mapRunArn, not both")
	case in.MapRunArn != "":
		all = s.engine.MapRunExecutions(in.MapRunArn)
	default:
		m, err := s.machine(in.StateMachineArn)
		if err != nil {
			return nil, err
		}
		all = s.engine.Executions(m.ARN)
	}
	switch in.StatusFilter {
	case "", asl.StatusRunning, asl.StatusSucceeded, asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted:
	default:
		return nil, clientError("ValidationException", "invalid statusFilter %q", in.StatusFilter)
	}
	type item struct {
		ExecutionArn    string `json:"executionArn"`
		StateMachineArn string `json:"stateMachineArn"`
		Name            string `json:"name"`
		Status          string `json:"status"`
		StartDate       epoch  `json:"startDate"`
		StopDate        *epoch `json:"stopDate,omitempty"`
		MapRunArn       string `json:"mapRunArn,omitempty"`
	}
	var items []item
	for _, x := range all {
		snap := x.Snapshot()
		if in.StatusFilter != "" && snap.Status != in.StatusFilter {
			continue
		}
		items = append(items, item{ExecutionArn: x.ARN, StateMachineArn: x.Machine.ARN, Name: x.Name, Status: snap.Status,
			StartDate: epoch(x.StartDate), StopDate: epochPtr(snap.StopDate), MapRunArn: x.MapRunARN})
	}
	start, end, next, err := page(len(items), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"executions": nonNil(items[start:end])}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// page applies maxResults (0: 100, at most 1000) and an opaque nextToken to n items.
func page(n, maxResults int, token string) (start, end int, next string, err error) {
	if maxResults < 0 || maxResults > 1000 {
		return 0, 0, "", clientError("ValidationException", "maxResults must be between 0 and 1000")
	}
	if maxResults == 0 {
		maxResults = 100
	}
	if token != "" {
		b, derr := base64.RawURLEncoding.DecodeString(token)
		off, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if derr != nil || perr != nil || !strings.HasPrefix(string(b), "offset:") || off < 0 || off > n {
			return 0, 0, "", clientError("InvalidToken", "Invalid Token: '%s'", token)
		}
		start = off
	}
	end = min(start+maxResults, n)
	if end < n {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return start, end, next, nil
}

type historyInput struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	NextToken            string `json:"nextToken"`
	ReverseOrder         bool   `json:"reverseOrder"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

func (s *Server) getExecutionHistory(in *historyInput) (any, error) {
	x, err := s.execution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	events := x.History()
	if in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	start, end, next, err := page(len(events), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	wire := make([]map[string]any, 0, end-start)
	for _, ev := range events[start:end] {
		wire = append(wire, wireEvent(ev, withData, s.engine.Region()))
	}
	out := map[string]any{"events": wire}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

type tokenInput struct {
	TaskToken string  `json:"taskToken"`
	Output    *string `json:"output"`
	Error     string  `json:"error"`
	Cause     string  `json:"cause"`
}

func (s *Server) sendTaskSuccess(in *tokenInput) (any, error) {
	if in.Output == nil {
		return nil, clientError("InvalidOutput", "Invalid Output: output is required")
	}
	return struct{}{}, s.engine.SendTaskSuccess(in.TaskToken, []byte(*in.Output))
}

func (s *Server) sendTaskFailure(in *tokenInput) (any, error) {
	return struct{}{}, s.engine.SendTaskFailure(in.TaskToken, in.Error, in.Cause)
}

func (s *Server) sendTaskHeartbeat(in *tokenInput) (any, error) {
	return struct{}{}, s.engine.SendTaskHeartbeat(in.TaskToken)
}
