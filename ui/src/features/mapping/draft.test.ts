// Tests of the mapping form's state: the draft sent to the shell (columns or JSON
// pointers, fixed values, the record's hash, time format and zone, outcome values) and
// the form filled back from a saved mapping's draft.
import { describe, expect, it } from "vitest";
import type { MappingDraftDto } from "../../bindings/MappingDraftDto";
import { draftOf, emptyForm, fieldLabel, formOf, missingColumns, offersConstant, offersHash, valuesSeen } from "./draft";
import type { FormState } from "./draft";

function filled(): FormState {
  return {
    ...emptyForm(),
    name: "  Acme ERP orders ",
    fields: {
      id: { kind: "hash" },
      ts: { kind: "column", column: "When" },
      action: { kind: "column", column: "Action" },
      "actor.id": { kind: "column", column: "User" },
      "actor.type": { kind: "constant", value: " user " },
      "target.type": { kind: "constant", value: "" },
      "target.id": { kind: "none" },
      outcome: { kind: "column", column: "Result" },
    },
    time: "pattern",
    pattern: "%d/%m/%Y %H:%M:%S",
    timezone: " Europe/Madrid ",
    outcomes: [
      { from: "OK", to: "success" },
      { from: " 403 ", to: "denied" },
      { from: "", to: "failure" },
    ],
  };
}

describe("the draft sent to the shell", () => {
  it("names CSV columns, fixed values and the record's hash, and leaves out what is not filled in", () => {
    const draft = draftOf(filled(), "csv");
    expect(draft).toEqual({
      name: "Acme ERP orders",
      format: "csv",
      fields: {
        id: { kind: "hash_of_record" },
        ts: { kind: "column", value: "When" },
        action: { kind: "column", value: "Action" },
        "actor.id": { kind: "column", value: "User" },
        "actor.type": { kind: "constant", value: "user" },
        outcome: { kind: "column", value: "Result" },
      },
      time_format: "%d/%m/%Y %H:%M:%S",
      timezone: "Europe/Madrid",
      values: { outcome: { OK: "success", "403": "denied" } },
    });
  });

  it("reads a JSON file's columns as JSON pointers", () => {
    const state: FormState = { ...emptyForm(), fields: { ts: { kind: "column", column: "/published" } } };
    for (const format of ["json", "jsonl"] as const) {
      expect(draftOf(state, format).fields.ts).toEqual({ kind: "pointer", value: "/published" });
    }
  });

  it("sends the time format by name, and nothing for ISO 8601, UTC and an empty name", () => {
    const state = emptyForm();
    const plain = draftOf(state, "csv");
    expect(plain.time_format).toBeNull();
    expect(plain.timezone).toBeNull();
    expect(plain.name).toBeNull();
    expect(plain.values).toEqual({});
    expect(plain.fields).toEqual({ id: { kind: "hash_of_record" } });
    expect(draftOf({ ...state, time: "epoch_millis" }, "csv").time_format).toBe("epoch_millis");
    expect(draftOf({ ...state, time: "epoch_seconds" }, "csv").time_format).toBe("epoch_seconds");
    // An empty pattern goes as it is: the engine says what is wrong with it.
    expect(draftOf({ ...state, time: "pattern", pattern: "" }, "csv").time_format).toBe("");
  });

  it("keeps other fields' value maps as a saved mapping had them", () => {
    const state = { ...emptyForm(), otherValues: { "actor.type": { staff: "user" }, empty: {} } };
    expect(draftOf(state, "csv").values).toEqual({ "actor.type": { staff: "user" } });
  });
});

describe("the form filled from a saved mapping", () => {
  it("gives back the state the draft was made of", () => {
    const state = filled();
    const draft = draftOf(state, "csv");
    const back = formOf(draft, "Acme ERP orders");
    expect(back.name).toBe("Acme ERP orders");
    expect(back.time).toBe("pattern");
    expect(back.pattern).toBe("%d/%m/%Y %H:%M:%S");
    expect(back.timezone).toBe("Europe/Madrid");
    expect(back.outcomes).toEqual([
      { from: "403", to: "denied" },
      { from: "OK", to: "success" },
    ]);
    expect(draftOf(back, "csv")).toEqual(draft);
  });

  it("reads pointers as columns and the named time formats", () => {
    const draft: MappingDraftDto = {
      name: null,
      format: "json",
      fields: { ts: { kind: "pointer", value: "/published" }, action: { kind: "constant", value: "login" } },
      time_format: "epoch_seconds",
      timezone: null,
      values: { "actor.type": { staff: "user" } },
    };
    const state = formOf(draft, "okta");
    expect(state.fields).toEqual({
      ts: { kind: "column", column: "/published" },
      action: { kind: "constant", value: "login" },
    });
    expect(state.time).toBe("epoch_seconds");
    expect(state.pattern).toBe("");
    expect(state.otherValues).toEqual({ "actor.type": { staff: "user" } });
    expect(formOf({ ...draft, time_format: null }, "x").time).toBe("rfc3339");
    expect(formOf({ ...draft, time_format: "rfc3339" }, "x").time).toBe("rfc3339");
  });

  it("lists the columns it reads that this file does not have", () => {
    expect(missingColumns(filled(), ["When", "Action", "User"])).toEqual(["Result"]);
    expect(missingColumns(filled(), ["When", "Action", "User", "Result"])).toEqual([]);
  });
});

describe("the form's words and offers", () => {
  it("labels fields in plain words, and an unknown field by its name", () => {
    expect(fieldLabel("ts")).toBe("When it happened");
    expect(fieldLabel("actor.id")).toBe("Who did it (id)");
    expect(fieldLabel("target.type")).toBe("Which record (type)");
    expect(fieldLabel("source.new_thing")).toBe("source.new_thing");
  });

  it("offers the record's hash for the id only, and fixed values where one value can fit all", () => {
    expect(offersHash("id")).toBe(true);
    expect(offersHash("ts")).toBe(false);
    expect(offersConstant("actor.type")).toBe(true);
    expect(offersConstant("target.type")).toBe(true);
    expect(offersConstant("ts")).toBe(false);
    expect(offersConstant("actor.id")).toBe(false);
  });

  it("lists the distinct values of a column in the first records, in order of appearance", () => {
    const columns = ["When", "Result"];
    const rows = [
      ["1", "OK"],
      ["2", "403"],
      ["3", "OK"],
      ["4", ""],
    ];
    expect(valuesSeen(columns, rows, "Result")).toEqual(["OK", "403"]);
    expect(valuesSeen(columns, rows, "Missing")).toEqual([]);
  });
});
