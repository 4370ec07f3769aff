/** The route of a request path, after URL decoding; undefined when nothing matches. */
export type Route =
  | { name: 'root' }
  | { name: 'health' }
  | { name: 'metrics' }
  | { name: 'topics' }
  | { name: 'topic'; topic: string }
  | { name: 'partition'; topic: string; partition: string };

export function route(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter((p) => p.length > 0);
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  if (decoded.length === 0) return { name: 'root' };
  if (decoded[0] === 'health' && decoded.length === 1) return { name: 'health' };
  if (decoded[0] === 'metrics' && decoded.length === 1) return { name: 'metrics' };
  if (decoded[0] !== 'topics') return undefined;
  if (decoded.length === 1) return { name: 'topics' };
  if (decoded.length === 2) return { name: 'topic', topic: decoded[1]! };
  if (decoded.length === 4 && decoded[2] === 'partitions') {
    return { name: 'partition', topic: decoded[1]!, partition: decoded[3]! };
  }
  return undefined;
}

/**
 * The route as a metric label: the path's shape without topic names, so the label set stays small
 * whatever clients send.
 */
export function routeLabel(r: Route | undefined): string {
  switch (r?.name) {
    case undefined:
      return 'unknown';
    case 'root':
      return '/';
    case 'health':
      return '/health';
    case 'metrics':
      return '/metrics';
    case 'topics':
      return '/topics';
    case 'topic':
      return '/topics/{topic}';
    case 'partition':
      return '/topics/{topic}/partitions/{partition}';
  }
}
