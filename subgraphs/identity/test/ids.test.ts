import { checkIndividualId, generateUin, generateVid, uinFilterViolation, verhoeffCheckDigit, verhoeffValid, vidFilterViolation } from "../src/domain/ids";
import { IdCrypto, randomToken } from "../src/domain/crypto";

describe("Verhoeff", () => {
  it("accepts known valid UINs and VIDs (checksum and filters)", () => {
    for (const uin of ["5075291708", "8296572490", "3645074956", "7509619239", "3143015406"]) {
      expect({ uin, valid: verhoeffValid(uin), rule: uinFilterViolation(uin) }).toEqual({ uin, valid: true, rule: null });
    }
    for (const vid of ["7509570183165860", "9730726791694708", "2182048524378398", "9830872690593682"]) {
      expect({ vid, valid: verhoeffValid(vid), rule: vidFilterViolation(vid) }).toEqual({ vid, valid: true, rule: null });
    }
  });

  it("computes the check digit of a payload", () => {
    expect(verhoeffCheckDigit("507529170")).toBe("8");
    expect(verhoeffCheckDigit("236")).toBe("3"); // the classic textbook example: 2363
    expect(verhoeffValid("2363")).toBe(true);
  });

  it("catches every single-digit error and every adjacent transposition of a valid UIN", () => {
    const uin = "5075291708";
    expect(verhoeffValid("5076291708")).toBe(false);
    expect(verhoeffValid("5072591708")).toBe(false);
    expect(verhoeffValid("5075921708")).toBe(false);
    for (let i = 0; i < uin.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === uin[i]) continue;
        expect(verhoeffValid(uin.slice(0, i) + d + uin.slice(i + 1))).toBe(false);
      }
      if (i + 1 < uin.length && uin[i] !== uin[i + 1]) {
        expect(verhoeffValid(uin.slice(0, i) + uin[i + 1] + uin[i] + uin.slice(i + 2))).toBe(false);
      }
    }
    expect(verhoeffValid("2345673210")).toBe(false);
  });

  it("rejects with the filter rule that matched", () => {
    expect(uinFilterViolation("2345673210")).toBe("sequence");
    expect(uinFilterViolation("2632154718")).toBe("sequence");
    expect(uinFilterViolation("7938347014")).toBe("repeating");
    expect(uinFilterViolation("7283783260")).toBe("repeating-block");
    expect(uinFilterViolation("7468145386")).toBe("even-digits");
    expect(uinFilterViolation("1706734913")).toBe("not-start-with");
    expect(uinFilterViolation("7861750841")).toBe("restricted");
    expect(uinFilterViolation("507529170")).toBe("length");
    expect(uinFilterViolation("50752917a8")).toBe("length");
    // Checksum ok, filters fail: valid for IDA, never generated.
    for (const id of ["2632154718", "7938347014", "7283783260", "7468145386", "1706734913", "7861750841"]) expect(verhoeffValid(id)).toBe(true);
    // 826 is an even run: a UIN rule, not a VID one.
    expect(vidFilterViolation("9830872690593682")).toBeNull();
    expect(vidFilterViolation("1830872690593682")).toBe("not-start-with");
  });

  it("generates ids that pass checksum and filters", () => {
    for (let i = 0; i < 500; i++) {
      const uin = generateUin();
      expect(uin).toMatch(/^\d{10}$/);
      expect(verhoeffValid(uin) && uinFilterViolation(uin) === null).toBe(true);
      const vid = generateVid();
      expect(vid).toMatch(/^\d{16}$/);
      expect(verhoeffValid(vid) && vidFilterViolation(vid) === null).toBe(true);
    }
  });

  it("validates a presented id as IDA does: length then checksum, type inferred", () => {
    expect(checkIndividualId("5075291708")).toEqual({ type: "UIN" });
    expect(checkIndividualId("9830872690593682")).toEqual({ type: "VID" });
    expect(checkIndividualId("5076291708")).toEqual({ code: "IDA-MLC-027" });
    expect(checkIndividualId("9830872690593683")).toEqual({ code: "IDA-MLC-029" });
    expect(checkIndividualId("507529170", "UIN")).toEqual({ code: "IDA-MLC-026" });
    expect(checkIndividualId("5075291708", "VID")).toEqual({ code: "IDA-MLC-028" });
    // A 36-digit token is neither a UIN nor a VID.
    expect(checkIndividualId(randomToken())).toEqual({ code: "IDA-MLC-009" });
  });
});

describe("partner-specific tokens", () => {
  const crypto = new IdCrypto(Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3));
  it("are 36 digits, stable per (person, partner), different across partners and people", () => {
    const person = crypto.personToken("5075291708");
    const a = crypto.token(person, "bank-a");
    expect(a).toMatch(/^\d{36}$/);
    expect(crypto.token(person, "bank-a")).toBe(a);
    expect(crypto.token(person, "bank-b")).not.toBe(a);
    expect(crypto.token(crypto.personToken("8296572490"), "bank-a")).not.toBe(a);
    expect(a).not.toContain("5075291708");
    // Another deployment's salt gives other tokens.
    const other = new IdCrypto(Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 4));
    expect(other.token(other.personToken("5075291708"), "bank-a")).not.toBe(a);
  });

  it("seals with AES-GCM and refuses a tampered value", () => {
    const sealed = crypto.seal("5075291708");
    expect(sealed).not.toContain("5075291708");
    expect(crypto.open(sealed)).toBe("5075291708");
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[raw.length - 1] ^= 1;
    expect(() => crypto.open(`v1.${raw.toString("base64")}`)).toThrow();
  });
});
