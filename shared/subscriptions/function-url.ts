// Maps a Lambda function URL event (payload format 2.0) to the framework-free HttpRequest and back.
import type { HttpRequest, HttpResponse } from "./http-handler.js";
import { MAX_BODY_BYTES } from "./http-handler.js";

export interface FunctionUrlEvent {
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  /** `domainName` is the function URL's own host as AWS routed the request (not the client's Host header). */
  requestContext?: { domainName?: string; http?: { method?: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function fromFunctionUrlEvent(event: FunctionUrlEvent): HttpRequest {
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of new URLSearchParams(event.rawQueryString ?? "")) if (!(k in query)) query[k] = v;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | null = event.body ?? null;
  if (body !== null && event.isBase64Encoded) {
    // Decode at most one byte past the cap: enough for the handler to answer 413.
    const raw = Buffer.from(body, "base64");
    body = raw.subarray(0, MAX_BODY_BYTES + 1).toString("utf8");
    if (raw.length > MAX_BODY_BYTES) body = body.padEnd(MAX_BODY_BYTES + 1, "x");
  }
  return { method: event.requestContext?.http?.method ?? "GET", path: event.rawPath || "/", query, headers, body };
}

export function toFunctionUrlResult(res: HttpResponse): FunctionUrlResult {
  return { statusCode: res.status, headers: res.headers, body: res.body };
}
