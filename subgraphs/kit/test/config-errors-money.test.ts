import { GraphQLError } from "graphql";
import { ConfigError, readConfig, subgraphEnv } from "../src/config";
import { createErrorFormatter, userError } from "../src/errors";
import { fromMinorUnits, toMinorUnits } from "../src/money";
import { MoneyType } from "../src/money-type";

describe("configuration", () => {
  it("names every bad variable in one error", () => {
    try {
      readConfig(subgraphEnv, { PORT: "not-a-port", DATABASE_URL: "nope", LOG_LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join("\n");
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/LOG_LEVEL/);
    }
  });

  it("requires a JWKS URL in production", () => {
    expect(() => readConfig(subgraphEnv, { PORT: "1", NODE_ENV: "production" })).toThrow(/JWKS_URL/);
  });

  it("applies defaults", () => {
    const cfg = readConfig(subgraphEnv, { PORT: "4001" });
    expect(cfg).toMatchObject({ PORT: 4001, HOST: "127.0.0.1", DATA_DIR: "./data", MIGRATE_ON_START: true });
  });
});

describe("error formatting", () => {
  const internal = new Error("connection to 10.0.0.5 refused");
  const formattedInternal = { message: internal.message, extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["at x"] } };

  it("masks unexpected errors and strips stack traces in production", () => {
    const format = createErrorFormatter({ production: true });
    expect(format(formattedInternal, internal)).toEqual({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } });
    const known = userError("NOT_FOUND", "Registrant x not found");
    expect(format({ message: known.message, extensions: { ...known.extensions, stacktrace: ["at y"] } }, known)).toEqual({
      message: "Registrant x not found",
      extensions: { code: "NOT_FOUND" },
    });
    const unknownCode = new GraphQLError("db said: relation missing", { extensions: { code: "SOMETHING_ODD" } });
    expect(format({ message: unknownCode.message, extensions: unknownCode.extensions }, unknownCode).message).toBe("Internal server error");
  });

  it("keeps details outside production", () => {
    const format = createErrorFormatter({ production: false });
    expect(format(formattedInternal, internal)).toEqual(formattedInternal);
  });
});

describe("money", () => {
  it("adds exactly in minor units", () => {
    const sum = ["0.10", "0.20", "1250.5", "3"].map((a) => toMinorUnits(a)).reduce((a, b) => a + b, 0n);
    expect(fromMinorUnits(sum)).toBe("1253.80");
  });
  it.each(["-1", "1.234", "abc", "0", "1e5", " 1"])("refuses %p", (bad) => {
    expect(() => toMinorUnits(bad)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }));
  });
});

describe("MoneyType", () => {
  const sqlite = new (class LibSqlPlatform {})() as never;
  const postgres = new (class PostgreSqlPlatform {})() as never;
  const t = new MoneyType();

  it("stores exact minor units on SQLite and numeric on PostgreSQL, reading back canonical strings", () => {
    expect(t.convertToDatabaseValue("12345678901234.57", sqlite)).toBe("1234567890123457");
    expect(t.convertToJSValue(1234567890123457n, sqlite)).toBe("12345678901234.57");
    expect(t.convertToJSValue(1000, sqlite)).toBe("10.00");
    expect(t.convertToDatabaseValue("10.5", postgres)).toBe("10.50");
    expect(t.convertToJSValue("10.500000", postgres)).toBe("10.50");
    expect(t.getColumnType(undefined, sqlite)).toBe("integer");
  });
});
