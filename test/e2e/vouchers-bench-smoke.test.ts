/** The vouchers benchmark in its small size: the bench code keeps working, and its checks hold. */
import { run } from "../bench/vouchers.bench";

describe("vouchers benchmark (smoke)", () => {
  it("issues 3,000 vouchers and redeems 300 of them, every one accounted for", async () => {
    const result = await run({ smoke: true });
    expect(result.rows.map((r) => r.phase)).toEqual(["issue", "redeem (service, no HTTP)", "redeem (HTTP, secret)"]);
    expect(result.rows[0]).toMatchObject({ count: 3000 });
    expect(result.rows[1]).toMatchObject({ count: 300 });
    expect(result.rows[2]).toMatchObject({ count: 300 });
    expect(result.data.serviceOk).toBe(300);
    expect(result.data.ok).toBe(300);
  }, 120_000);
});
