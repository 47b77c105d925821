import { describe, expect, it } from "vitest";
import * as z from "zod";
import { InvalidCursor } from "../src/exceptions";
import { CreatedAtCursor, decodeCursor, encodeCursor, useCursorSecret } from "../src/pagination";

const SECRET = "a test secret of at least thirty-two characters";
const ID = "7d1f0c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f";
const TIME = "2026-01-31T23:59:59.123456Z";

function expectInvalid(cursor: string, message: RegExp) {
  try {
    decodeCursor(cursor, CreatedAtCursor);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCursor);
    expect((error as InvalidCursor).code).toBe("INVALID_CURSOR");
    expect((error as InvalidCursor).reason).toMatch(message);
    return;
  }
  expect.fail(`${cursor} was accepted`);
}

describe("signed cursors", () => {
  useCursorSecret(SECRET);

  it("round-trips what it encodes", () => {
    expect(decodeCursor(encodeCursor([TIME, ID]), CreatedAtCursor)).toEqual([TIME, ID]);
    expect(decodeCursor(encodeCursor([42]), z.tuple([z.number()]))).toEqual([42]);
  });

  it("refuses an unsigned cursor in the old format", () => {
    const unsigned = btoa(JSON.stringify([TIME, ID])).replace(/=+$/, "");
    expectInvalid(unsigned, /not a cursor this API issued/);
  });

  it("refuses a cursor whose payload was altered", () => {
    const [, signature] = encodeCursor([TIME, ID]).split(".");
    const forged = btoa(JSON.stringify(["2099-01-01T00:00:00.000000Z", ID])).replace(/=+$/, "");
    expectInvalid(`${forged}.${signature}`, /not a cursor this API issued/);
  });

  it("refuses a cursor signed under another secret", () => {
    useCursorSecret("another secret of at least thirty-two characters!");
    const foreign = encodeCursor([TIME, ID]);
    useCursorSecret(SECRET);
    expectInvalid(foreign, /not a cursor this API issued/);
  });

  it.each(["garbage", "", ".", "a.b.c", `${encodeCursor([TIME, ID])}.x`])(
    "refuses the garbled cursor %j",
    (cursor) => expectInvalid(cursor, /not a cursor this API issued/),
  );

  it.each([
    "infinity",
    "-infinity",
    "allballs",
    "epoch",
    "now",
    "2026-01-31",
    "2026-01-31T23:59:59Z",
    "2026-02-30T00:00:00.000000Z",
    "2026-13-01T00:00:00.000000Z",
    "2026-01-31T24:00:00.000000Z",
  ])("refuses the timestamp %j even when signed, with a clear message", (time) => {
    expectInvalid(encodeCursor([time, ID]), /timestamp/);
  });
});
