// Tests are quiet unless asked, and never phone home.
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? "silent";
process.env.APOLLO_TELEMETRY_DISABLED = "true";
process.env.NODE_ENV = process.env.NODE_ENV === "production" ? "production" : "test";
