// Integration suites start servers and wait on real queues; `testTimeout` is not a per-project
// option in jest's multi-project mode, so the default is raised here for every project.
jest.setTimeout(60_000);
