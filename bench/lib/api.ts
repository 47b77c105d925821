/**
 * A JSON client for a running Linkbase (`wrangler dev`): throws on any non-2xx answer.
 *
 * @example
 * const api = apiClient(server.url);
 * const { id } = await api<{ id: string }>("POST", "/v1/projects", token, { name: "Bench" });
 */
export function apiClient(baseUrl: string) {
  return async function api<T>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}
