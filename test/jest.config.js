module.exports = require("../jest.base.js")(__dirname, ["<rootDir>/e2e/**/*.test.ts", "<rootDir>/src/**/*.test.ts"]);
