// `npm run test:faults`: real processes (subgraphs, a private PostgreSQL, a private Redis) killed and
// restarted under load. Not part of `npm test` (test/jest.config.js does not match faults/).
const base = require("../jest.base.js")(__dirname, ["<rootDir>/faults/**/*.test.ts"]);

module.exports = { ...base, displayName: "faults", testTimeout: 600_000, maxWorkers: 1 };
