// Tests of the Keys view's words for an AWS CloudTrail key list. Pure.
import { describe, expect, it } from "vitest";
import { awsKeyListTitle } from "./words";

const list = { name: "us-east-1-keys.json", path: "/config/trusted-keys/us-east-1-keys.json", n_keys: 3, source: "app" };

describe("awsKeyListTitle", () => {
  it("names the keys, how many and the file they came from", () => {
    expect(awsKeyListTitle(list)).toBe("AWS CloudTrail keys (3 keys) from us-east-1-keys.json");
  });
  it("counts one key as one", () => {
    expect(awsKeyListTitle({ ...list, n_keys: 1 })).toBe("AWS CloudTrail keys (1 key) from us-east-1-keys.json");
    expect(awsKeyListTitle({ ...list, n_keys: 1200 })).toBe("AWS CloudTrail keys (1,200 keys) from us-east-1-keys.json");
  });
});
