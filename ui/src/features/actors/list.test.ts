// Tests of the actors list's search, sort and headline. Pure; no DOM, no IPC; time
// offsets are passed in.
import { describe, expect, it } from "vitest";
import type { ActorDto } from "../../bindings/ActorDto";
import type { PersonDto } from "../../bindings/PersonDto";
import {
  accountText,
  accountsText,
  activeSpan,
  actorHeadline,
  linkText,
  searchActors,
  separatedAccount,
  sortActors,
  troubleText,
} from "./list";

function account(id: string, name: string | null, n_events: number, extra: Partial<ActorDto> = {}): ActorDto {
  return {
    actor_id: id,
    actor_type: "user",
    kind: "person",
    name,
    n_events,
    first_time: "2026-03-03T10:00:00Z",
    last_time: "2026-06-28T10:00:00Z",
    n_failures: 0,
    n_denials: 0,
    email: null,
    sources: ["audit bundle"],
    unlinked: false,
    ...extra,
  };
}

/** A person of one account, as the shell sends one. */
function actor(id: string, name: string | null, n_events: number, extra: Partial<ActorDto> = {}): PersonDto {
  const only = account(id, name, n_events, extra);
  return {
    key: id,
    name,
    kind: only.kind,
    linked_by: null,
    sources: only.sources,
    n_events,
    first_time: only.first_time,
    last_time: only.last_time,
    n_failures: only.n_failures,
    n_denials: only.n_denials,
    accounts: [only],
  };
}

const maria = actor("u_017", "Maria Lopez", 1204, { n_denials: 5 });
const bot = actor("auto_7", "Invoice reminder", 80, { kind: "automation", actor_type: "automation", n_failures: 2 });
const nameless = actor("apic_9", null, 3, { kind: "API client", last_time: null });
const all = [maria, bot, nameless];

describe("searchActors", () => {
  it("finds by part of the name, ignoring case", () => {
    expect(searchActors(all, "  lop ")).toEqual([maria]);
  });
  it("finds by id", () => {
    expect(searchActors(all, "APIC")).toEqual([nameless]);
  });
  it("keeps everyone for a blank search", () => {
    expect(searchActors(all, " ")).toEqual(all);
  });
});

describe("sortActors", () => {
  it("sorts by name, nameless actors by id", () => {
    expect(sortActors(all, "name", false).map((a) => a.key)).toEqual(["apic_9", "auto_7", "u_017"]);
  });
  it("sorts by counts either way", () => {
    expect(sortActors(all, "events", true)).toEqual([maria, bot, nameless]);
    expect(sortActors(all, "failures", true)[0]).toBe(bot);
    expect(sortActors(all, "denials", false)[2]).toBe(maria);
  });
  it("puts unknown times first when oldest first", () => {
    expect(sortActors(all, "last", false)[0]).toBe(nameless);
  });
});

describe("actorHeadline", () => {
  it("says who, what kind and how much, from when to when", () => {
    expect(actorHeadline(maria, true)).toBe("Maria Lopez — person — 1,204 events from 3 Mar to 28 Jun 2026");
  });
  it("writes both years when they differ, and one day once", () => {
    expect(activeSpan("2025-12-30T10:00:00Z", "2026-01-02T10:00:00Z", true)).toBe("from 30 Dec 2025 to 2 Jan 2026");
    expect(activeSpan("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z", true)).toBe("on 5 Jan 2026");
    expect(activeSpan("2026-01-05T23:30:00Z", "2026-01-05T23:45:00Z", false, 60)).toBe("on 6 Jan 2026");
  });
  it("leaves out the span when times are unknown, and names by id", () => {
    expect(actorHeadline(nameless, true)).toBe("apic_9 — API client — 3 events");
  });
});

describe("troubleText", () => {
  it("says failures and denials in words", () => {
    expect(troubleText(maria)).toBe("5 denied");
    expect(troubleText(bot)).toBe("2 failed");
    expect(troubleText(nameless)).toBe("none failed or denied");
  });
});

describe("people of several accounts", () => {
  const m365 = account("maria@acme.com", "Maria Lopez", 50, { email: "maria@acme.com", sources: ["Microsoft 365 audit log"] });
  const okta = account("00u1abc", "Maria Lopez", 30, { email: "maria@acme.com", sources: ["Okta System Log"] });
  const github = account("maria-lopez", null, 5, { email: "maria@acme.com", sources: ["GitHub audit log"] });
  const linked: PersonDto = {
    ...actor("maria@acme.com", "Maria Lopez", 85),
    linked_by: "maria@acme.com",
    sources: ["Microsoft 365 audit log", "Okta System Log", "GitHub audit log"],
    accounts: [m365, okta, github],
  };

  it("finds a person by any account's id or email", () => {
    expect(searchActors([linked, maria], "MARIA-LOP")).toEqual([linked]);
    expect(searchActors([linked, maria, bot], "00u1")).toEqual([linked]);
  });
  it("lists where the accounts are and why they are linked", () => {
    expect(accountsText(linked)).toBe("3 accounts: Microsoft 365 audit log, Okta System Log and GitHub audit log");
    expect(linkText(linked)).toBe("Linked because all 3 accounts were seen with maria@acme.com.");
    expect(linkText({ ...linked, accounts: [m365, okta] })).toBe("Linked because both accounts were seen with maria@acme.com.");
    expect(accountsText(maria)).toBe("");
    expect(linkText(maria)).toBe("");
  });
  it("names one account with its source and count", () => {
    expect(accountText(okta)).toBe("00u1abc in Okta System Log — 30 events");
  });
  it("knows an account the reviewer separated, and only that", () => {
    const separated = actor("00u9", null, 3, { email: "ops@acme.com", unlinked: true });
    expect(separatedAccount(separated)?.actor_id).toBe("00u9");
    expect(separatedAccount(maria)).toBeNull();
    expect(separatedAccount(linked)).toBeNull();
  });
});
