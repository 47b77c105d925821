import { describe, expect, it } from "vitest";
import contract from "../../docs/api.md?raw";
import errorCodes from "../../docs/errors.md?raw";
import { DOCS_CSP } from "../../src/docs";
import { call, expectStatus } from "../support/api";

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { description: string }>;
}

interface Document {
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
}

async function served(): Promise<Document> {
  return expectStatus<Document>(await call("GET", "/openapi.json"), 200);
}

function operations(doc: Document): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op]),
  );
}

describe("/openapi.json", () => {
  it("names, describes, tags and secures every operation", async () => {
    const doc = await served();
    const declared = new Set(doc.tags.map((tag) => tag.name));
    const ids = new Set<string>();
    for (const [name, op] of operations(doc)) {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId ?? ""), `${name}: operationId repeated`).toBe(false);
      ids.add(op.operationId ?? "");
      expect(op.summary, name).toBeTruthy();
      expect(op.description, name).toBeTruthy();
      expect(op.tags?.length, name).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declared.has(tag), `${name}: tag ${tag}`).toBe(true);
      expect(op.security, `${name}: security`).toBeDefined();
      expect(op.responses["500"], `${name}: 500`).toBeDefined();
      if (op.security?.length) expect(op.responses["401"], `${name}: 401`).toBeDefined();
    }
    expect(doc.tags.every((tag) => tag.description)).toBe(true);
  });

  it("lists exactly the operations docs/api.md describes", async () => {
    const doc = await served();
    // Table rows of the contract: `| METHOD | /v1/path | …`.
    const documented = [...contract.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) \| (\/v1\/\S+) \|/gm)]
      .map(([, method, path]) => `${method} ${path}`)
      .sort();
    const servedOps = operations(doc)
      .map(([name]) => name)
      .sort();
    expect(servedOps.filter((op) => !documented.includes(op))).toEqual([]);
    expect(documented.filter((op) => !servedOps.includes(op))).toEqual([]);
  });

  it("names only error codes docs/errors.md explains", async () => {
    const doc = await served();
    const documented = new Set(
      [...errorCodes.matchAll(/^\| \d{3} \| `([A-Z_]+)` \|/gm)].map((m) => m[1]),
    );
    const named = new Set(
      operations(doc).flatMap(([, op]) =>
        Object.entries(op.responses)
          .filter(([status]) => Number(status) >= 400)
          .flatMap(([, response]) =>
            [...response.description.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]),
          ),
      ),
    );
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((code) => !documented.has(code))).toEqual([]);
  });
});

describe("problem bounds", () => {
  it("keeps a 422 within the lengths /openapi.json states, even when it quotes the client", async () => {
    const key = "k".repeat(5000);
    const response = await call("POST", "/v1/auth/register", {
      body: { [key]: 1, email: `${"e".repeat(3000)}@example.com`, password: "x" },
    });
    const problem = await expectStatus<{
      detail: string;
      errors: { path: string; message: string }[];
    }>(response, 422);
    expect(problem.errors.length).toBeGreaterThan(1);
    // The unknown key is quoted in its message: cut, not dropped.
    expect(problem.errors.some((error) => error.message.length === 1000)).toBe(true);
    expect(problem.detail.length).toBeLessThanOrEqual(2000);
    for (const error of problem.errors) {
      expect(error.path.length).toBeLessThanOrEqual(200);
      expect(error.message.length).toBeLessThanOrEqual(1000);
    }
  });
});

describe("/docs", () => {
  it("loads the pinned Scalar build with its integrity hash, under a CSP", async () => {
    const response = await call("GET", "/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(DOCS_CSP);
    const page = await response.text();
    const scripts = [...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)];
    expect(scripts).toHaveLength(1);
    const [tag, src] = scripts[0] ?? [];
    expect(src).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+\//);
    expect(tag).toMatch(/integrity="sha384-[A-Za-z0-9+/]{64}"/);
    expect(DOCS_CSP).toContain(`script-src ${src}`);
    expect(page).toContain('data-url="/openapi.json"');
  });
});
