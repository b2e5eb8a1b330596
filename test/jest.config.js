// test/faults (real processes killed and restarted) is not here: `npm run test:faults` (jest.faults.config.js).
module.exports = require("../jest.base.js")(__dirname, ["<rootDir>/e2e/**/*.test.ts", "<rootDir>/src/**/*.test.ts", "<rootDir>/fuzz/**/*.test.ts"]);
