// `npm test`: every package's tests in one run.
const os = require("node:os");

module.exports = {
  // Jest's default is one worker per core minus one: a single worker on a 2-core CI machine. The
  // suites mostly wait (HTTP between processes, databases, job queues), so two run side by side in
  // little more than the time of one: 162 s instead of 296 s for the SQLite pass on 2 cores.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  projects: [
    "<rootDir>/subgraphs/kit",
    "<rootDir>/subgraphs/registry",
    "<rootDir>/subgraphs/identity",
    "<rootDir>/subgraphs/eligibility",
    "<rootDir>/subgraphs/payments",
    "<rootDir>/subgraphs/vouchers",
    "<rootDir>/gateway",
    "<rootDir>/schema",
    "<rootDir>/clients/sdk",
    "<rootDir>/test",
  ],
  testTimeout: 60_000,
};
