// The Visions AI client: openapi-fetch over the types generated from the API's OpenAPI document
// (src/schema.ts, written by `npm run generate`). Only this file is written by hand.
import createFetchClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Project = components["schemas"]["Project"];
export type Job = components["schemas"]["Job"];
export type VersionView = components["schemas"]["VersionView"];
export type Problem = components["schemas"]["Problem"];
export type VisionsClient = Client<paths>;

export interface ClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8787` or a deployed stage URL. */
  baseUrl: string;
  /** A bearer token (JWT). */
  token?: string;
  /** An API Gateway key, sent as `x-api-key`. */
  apiKey?: string;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
}

/** A typed client: `client.GET("/v1/projects")`, `client.POST("/v1/projects", { body })`, … */
export function createClient(options: ClientOptions): VisionsClient {
  const headers: Record<string, string> = {};
  if (options.token) headers["Authorization"] = `Bearer ${options.token}`;
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  return createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An answer the API refused, with its RFC 9457 problem. */
export class VisionsError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = "VisionsError";
  }
}

export interface FollowOptions {
  /** Called with the job each time its status, stage or progress changes. */
  onProgress?: (job: Job) => void;
  /** Time between polls, in milliseconds (default 1000). */
  intervalMs?: number;
  /** Give up after this many milliseconds (default 15 minutes, the worker's own limit). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const FINISHED = new Set(["succeeded", "failed"]);

/** Polls a job until it succeeds or fails; resolves with the finished job either way. */
export async function followJob(
  client: VisionsClient,
  jobId: string,
  options: FollowOptions = {},
): Promise<Job> {
  const interval = options.intervalMs ?? 1000;
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60 * 1000);
  let seen = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const { data, error, response } = await client.GET("/v1/jobs/{id}", {
      params: { path: { id: jobId } },
      signal: options.signal,
    });
    if (!data) throw new VisionsError(response.status, error as Problem | undefined);
    const state = `${data.status}/${data.stage}/${data.progress}`;
    if (state !== seen) {
      seen = state;
      options.onProgress?.(data);
    }
    if (FINISHED.has(data.status)) return data;
    if (Date.now() + interval > deadline) {
      throw new Error(`job ${jobId} did not finish in time (last: ${state})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
