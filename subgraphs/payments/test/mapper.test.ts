import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { parseFinancialAddress } from "../src/services/mapper.service";
import { ADMIN, FINANCE } from "./helpers";

const LINK = `mutation ($b: String!, $f: String!) { linkFinancialAddress(beneficiaryId: $b, financialAddress: $f) { beneficiaryId financialAddress providerCode status } }`;
const UPDATE = `mutation ($b: String!, $f: String!, $s: FinancialAddressStatus) { updateFinancialAddress(beneficiaryId: $b, financialAddress: $f, status: $s) { financialAddress providerCode status } }`;
const UNLINK = `mutation ($b: String!) { unlinkFinancialAddress(beneficiaryId: $b) }`;
const RESOLVE = `query ($ids: [String!]!) { resolveFinancialAddresses(beneficiaryIds: $ids) { beneficiaryId statusReasonCode financialAddress providerCode } }`;
const PROVIDER = `mutation ($i: PaymentProviderInput!) { upsertPaymentProvider(input: $i) { code kind parentCode connector active } }`;

describe("ID → account mapper and provider directory", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("parses G2P Connect financial addresses", () => {
    expect(parseFinancialAddress("account:12345@abcd0000001.ifsc.pymt-rail")).toEqual({ type: "account", id: "12345", provider: "abcd0000001.ifsc.pymt-rail" });
    expect(parseFinancialAddress("mobile:+254700000001@mpesa")).toEqual({ type: "mobile", id: "+254700000001", provider: "mpesa" });
    for (const bad of ["12345@bank", "account:@bank", "account:1", "ACCOUNT:1@bank", "account:1@", "a:b@c@d"]) expect(parseFinancialAddress(bad)).toBeNull();
  });

  it("keeps a directory of banks, branches and wallets", async () => {
    expect(dataOf(await sg.request(PROVIDER, { i: { code: "gtbank", name: "GT Bank", kind: "BANK", connector: "ISO20022" } }, FINANCE)).upsertPaymentProvider).toMatchObject({ code: "gtbank", connector: "ISO20022" });
    expect(dataOf(await sg.request(PROVIDER, { i: { code: "gtbank-001", name: "GT Bank Nairobi", kind: "BRANCH", parentCode: "gtbank" } }, FINANCE)).upsertPaymentProvider).toMatchObject({ parentCode: "gtbank" });
    expect(codesOf(await sg.request(PROVIDER, { i: { code: "lonely", name: "x", kind: "BRANCH" } }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(PROVIDER, { i: { code: "bad", name: "x", kind: "WALLET", endpointUrl: "file:///etc/passwd" } }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    dataOf(await sg.request(PROVIDER, { i: { code: "mpesa", name: "M-Pesa", kind: "WALLET", connector: "GSMA", endpointUrl: "http://127.0.0.1:9/" } }, FINANCE));
    dataOf(await sg.request(PROVIDER, { i: { code: "closed", name: "Closed", kind: "WALLET", active: false } }, FINANCE));
    const list = dataOf(await sg.request(`{ paymentProviders { code kind active } }`, {}, { role: "auditor" })).paymentProviders;
    expect(list.map((p: any) => p.code)).toEqual(["closed", "gtbank", "gtbank-001", "mpesa"]);
  });

  it("links, resolves in batch (one query, every id answered), updates and unlinks, with an audit line each", async () => {
    expect(dataOf(await sg.request(LINK, { b: "person-1", f: "mobile:254700000001@mpesa" }, FINANCE)).linkFinancialAddress).toMatchObject({ providerCode: "mpesa", status: "ACTIVE" });
    dataOf(await sg.request(LINK, { b: "person-2", f: "account:001122@gtbank" }, FINANCE));
    expect(codesOf(await sg.request(LINK, { b: "person-1", f: "mobile:254700000002@mpesa" }, FINANCE))).toEqual(["CONFLICT"]);
    expect(codesOf(await sg.request(LINK, { b: "person-3", f: "mobile:254700000003@nobank" }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(LINK, { b: "person-3", f: "mobile:254700000003@closed" }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(LINK, { b: "person-3", f: "254700000003" }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    dataOf(await sg.request(UPDATE, { b: "person-2", f: "account:999@gtbank", s: "INACTIVE" }, FINANCE));

    sg.sql.length = 0;
    const resolved = dataOf(await sg.request(RESOLVE, { ids: ["person-1", "person-2", "nobody"] }, ADMIN)).resolveFinancialAddresses;
    expect(resolved).toEqual([
      { beneficiaryId: "person-1", statusReasonCode: "succ.id.active", financialAddress: "mobile:254700000001@mpesa", providerCode: "mpesa" },
      { beneficiaryId: "person-2", statusReasonCode: "succ.id.inactive", financialAddress: "account:999@gtbank", providerCode: "gtbank" },
      { beneficiaryId: "nobody", statusReasonCode: "succ.id.not_found", financialAddress: null, providerCode: null },
    ]);
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()))).toHaveLength(1);
    // Financial addresses are personal data.
    expect(codesOf(await sg.request(RESOLVE, { ids: ["person-1"] }, FINANCE))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(RESOLVE, { ids: Array.from({ length: 1001 }, (_, i) => `p${i}`) }, ADMIN))).toEqual(["BAD_USER_INPUT"]);

    expect(dataOf(await sg.request(UNLINK, { b: "person-1" }, FINANCE)).unlinkFinancialAddress).toBe(true);
    expect(codesOf(await sg.request(UNLINK, { b: "person-1" }, FINANCE))).toEqual(["NOT_FOUND"]);
    expect(codesOf(await sg.request(UPDATE, { b: "person-1", f: "mobile:1234567@mpesa" }, FINANCE))).toEqual(["NOT_FOUND"]);
    const actions = (await sg.orm.em.fork().find(AuditEntry, { entityType: "FinancialAddressLink" })).map((a) => a.action).sort();
    expect(actions).toEqual(["mapper.link", "mapper.link", "mapper.unlink", "mapper.update"]);
  });
});
