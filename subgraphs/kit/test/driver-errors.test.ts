import { DriverException } from "@mikro-orm/core";
import { GraphQLError } from "graphql";
import { createErrorFormatter, translateDriverError } from "../src/errors";

// Database errors reach the caller as what they mean to them, never as SQL or INTERNAL_SERVER_ERROR.
describe("database errors seen by callers", () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
  const wrapped = (code: string, message: string) =>
    new GraphQLError(`select * from x where id = '13' - ${message}`, { originalError: new DriverException(pgError(code, message)) });

  it("an id that is not a UUID is NOT_FOUND, another ill-fitting value BAD_USER_INPUT", () => {
    expect(translateDriverError(wrapped("22P02", 'invalid input syntax for type uuid: "13"'))).toEqual({ code: "NOT_FOUND", message: expect.any(String) });
    expect(translateDriverError(wrapped("22001", "value too long for type character varying(3)"))?.code).toBe("BAD_USER_INPUT");
    expect(translateDriverError(wrapped("23505", "duplicate key value violates unique constraint"))).toBeNull();
  });

  it("a lost database is SERVICE_UNAVAILABLE", () => {
    expect(translateDriverError(wrapped("57P01", "terminating connection due to administrator command"))?.code).toBe("SERVICE_UNAVAILABLE");
    expect(translateDriverError(new GraphQLError("x", { originalError: pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432") }))?.code).toBe("SERVICE_UNAVAILABLE");
  });

  it("a busy or locked database, a deadlock or a serialization failure is SERVICE_UNAVAILABLE, without the statement", () => {
    for (const code of ["SQLITE_BUSY", "40001", "40P01"]) {
      expect(translateDriverError(wrapped(code, "database is locked"))).toEqual({ code: "SERVICE_UNAVAILABLE", message: "The database is busy; retry later" });
    }
  });

  it("the formatter shows the translation without the SQL, in development too", () => {
    const unexpected: unknown[] = [];
    const format = createErrorFormatter({ production: false, onUnexpected: (e) => unexpected.push(e) });
    const error = wrapped("22P02", 'invalid input syntax for type uuid: "13"');
    const shown = format({ message: error.message, path: ["cancelCycle"], extensions: { code: "INTERNAL_SERVER_ERROR", stacktrace: ["..."] } }, error);
    expect(shown).toEqual({ message: "No record with that id (not a valid id)", path: ["cancelCycle"], locations: undefined, extensions: { code: "NOT_FOUND" } });
    expect(unexpected).toHaveLength(0);
    format({ message: "x", extensions: { code: "INTERNAL_SERVER_ERROR" } }, wrapped("08006", "connection failure"));
    expect(unexpected).toHaveLength(1); // an outage is logged
  });

  it("an error already classified keeps its code: a subgraph down is not a database down", () => {
    // The gateway's error for a refused subgraph connection carries undici's ECONNREFUSED underneath.
    const format = createErrorFormatter({ production: false });
    const error = new GraphQLError('Subgraph "payments" is unavailable', {
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "payments" },
      originalError: pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:4004"),
    });
    const shown = format({ message: error.message, extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "payments" } }, error);
    expect(shown.extensions?.code).toBe("SUBGRAPH_UNAVAILABLE");
    expect(shown.message).toBe('Subgraph "payments" is unavailable');
  });
});
