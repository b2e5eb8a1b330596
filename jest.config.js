// `npm test`: every package's tests in one run.
module.exports = {
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
