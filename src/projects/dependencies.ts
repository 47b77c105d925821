import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app";
import * as authDependencies from "../auth/dependencies";
import { ValidationFailed } from "../exceptions";
import { ProjectNotFound } from "./exceptions";
import { ProjectIdParam } from "./schemas";

/**
 * Checks `project_id` before any database work: a malformed UUID is a 422 naming
 * `param.project_id`, never a 500 from Postgres; a project outside a project-limited API key's
 * list is 404, as if it did not exist. The caller's role is not looked up here; each service
 * folds `callerRole` (./service.ts) into its one statement instead, so authorizing costs no
 * extra round trip.
 */
export const validProjectId = createMiddleware<AppEnv>(async (c, next) => {
  const parsed = ProjectIdParam.safeParse({ project_id: c.req.param("project_id") });
  if (!parsed.success) {
    throw new ValidationFailed([{ path: "param.project_id", message: "Invalid UUID" }]);
  }
  const only = c.get("caller").projectIds;
  if (only && !only.includes(parsed.data.project_id)) throw new ProjectNotFound();
  await next();
});

/**
 * The middleware of every route under `/v1/projects/{project_id}`: who is calling (401 first),
 * then a well-formed project id (422).
 *
 * @example
 * createRoute({ method: "get", path: "/{project_id}/urls", middleware: projectMember, … })
 */
export const projectMember = [authDependencies.authenticate, validProjectId];

/** `projectMember` for a POST that only reads (search): `read` API keys may use it. */
export const projectReader = [authDependencies.authenticateReader, validProjectId];
