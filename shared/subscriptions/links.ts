// Absolute links into the subscription API. `publicUrl` may carry a path prefix
// (https://example.org/news): routes are resolved beneath it, never beside it.

export type Route = "confirm" | "unsubscribe" | "manage";

export function linkTo(publicUrl: string, route: Route, token: string): string {
  const base = new URL(publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`);
  const url = new URL(route, base);
  url.searchParams.set("token", token);
  return url.href;
}
