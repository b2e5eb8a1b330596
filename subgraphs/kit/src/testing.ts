/**
 * Helpers for tests that need a real database: a fresh in-memory SQLite by default, or a fresh
 * PostgreSQL database (created and dropped here) when DATABASE_URL is set.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";

export interface TestDatabase {
  /** undefined = SQLite in memory. */
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(baseUrl = process.env.DATABASE_URL): Promise<TestDatabase> {
  if (!baseUrl) return { databaseUrl: undefined, drop: async () => {} };
  const name = `g2p_test_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}
