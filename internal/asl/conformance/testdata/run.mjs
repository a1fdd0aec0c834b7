// Runs ASL definitions through aws-local-stepfunctions for the Go conformance test
// (conformance_test.go). stdin: a JSON array of jobs {definition, input, context}; stdout: a JSON
// array of results in job order, {status: "SUCCEEDED", output} or {status: "FAILED", error, cause}.
//
// Task states name one of the mock Lambda functions below by ARN
// (arn:aws:lambda:<region>:<account>:function:<name>); conformance_test.go implements the same
// functions in Go. Wait states and Retry intervals are overridden to 0 ms so nothing sleeps.

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node.js gained in version 22.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// Imported after the polyfill: a static import would be evaluated before it.
const { StateMachine } = await import('aws-local-stepfunctions');

// lambdaError is the error a failing Lambda function produces: the name is the errorType and the
// message is the function's error payload, as Step Functions reports it in Cause.
function lambdaError(type, message) {
  const err = new Error(JSON.stringify({ errorMessage: message, errorType: type }));
  err.name = type;
  return err;
}

// mocks returns fresh mock functions for one execution (flaky counts its calls).
function mocks() {
  let flakyCalls = 0;
  return {
    echo: async (payload) => payload,
    add: async (payload) => payload.a + payload.b,
    fail: async (payload) => {
      throw lambdaError(payload?.error ?? 'CustomError', payload?.message ?? 'boom');
    },
    flaky: async (payload) => {
      flakyCalls++;
      if (flakyCalls <= payload.failures) {
        throw lambdaError('Transient', `attempt ${flakyCalls}`);
      }
      return { attempts: flakyCalls };
    },
  };
}

function walk(states, visit) {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    for (const branch of state.Branches ?? []) {
      walk(branch.States, visit);
    }
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) {
      walk(processor.States, visit);
    }
  }
}

// Validating a definition is most of the cost, so each distinct definition is validated and
// built once; executions of one StateMachine are independent of each other.
const machines = new Map();

function machineFor(definition) {
  const key = JSON.stringify(definition);
  if (!machines.has(key)) {
    machines.set(key, new StateMachine(definition));
  }
  return machines.get(key);
}

async function run(job) {
  const fns = mocks();
  const overrides = { taskResourceLocalHandlers: {}, waitTimeOverrides: {}, retryIntervalOverrides: {} };
  walk(job.definition.States, (name, state) => {
    overrides.retryIntervalOverrides[name] = 0;
    if (state.Type === 'Wait') {
      overrides.waitTimeOverrides[name] = 0;
    }
    if (state.Type === 'Task') {
      const fn = String(state.Resource).split(':function:')[1];
      if (!fns[fn]) {
        throw new Error(`state ${name}: no mock function for resource ${state.Resource}`);
      }
      overrides.taskResourceLocalHandlers[name] = fns[fn];
    }
  });
  const machine = machineFor(job.definition);
  try {
    const output = await machine.run(job.input, { overrides, context: job.context }).result;
    return { status: 'SUCCEEDED', output: output ?? null };
  } catch (err) {
    const cause = err.name === 'ExecutionError' && err.cause ? err.cause : err;
    return { status: 'FAILED', error: cause.name, cause: cause.message };
  }
}

let text = '';
for await (const chunk of process.stdin) {
  text += chunk;
}
const results = [];
for (const job of JSON.parse(text)) {
  results.push(await run(job));
}
process.stdout.write(JSON.stringify(results));
