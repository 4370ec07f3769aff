/**
 * The Host names the proxy answers to (pure). Bound to a loopback address, it serves only requests
 * that name it as 127.0.0.1, localhost or [::1] with its port (or as the profile's proxy.url, which
 * API Gateway's HTTP_PROXY integration calls and MiniStack forwards as Host): a page on another site
 * whose name a DNS-rebinding attack points at 127.0.0.1 sends its own name and is refused. Bound to
 * another address, clients reach it by names it cannot know; the API key guards it there.
 */
export function servedHosts(bindHost: string, port: number, proxyUrl?: string): Set<string> | undefined {
  if (!isLoopbackHost(bindHost)) return undefined;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (proxyUrl) {
    try {
      const u = new URL(proxyUrl);
      if (Number(u.port) === port) hosts.add(u.host.toLowerCase());
    } catch {
      /* a malformed proxy.url adds nothing */
    }
  }
  return hosts;
}

/** True when a request's Host header is one the proxy serves (always, when it checks none). */
export function hostServed(served: Set<string> | undefined, host: string | undefined): boolean {
  return served === undefined || (host !== undefined && served.has(host.toLowerCase()));
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
