/**
 * --profiling for every daemon: /debug/pprof/ serves V8 profiles in place of
 * Go's pprof — /debug/pprof/profile?seconds=N a .cpuprofile (Chrome DevTools
 * opens it), /debug/pprof/heap a .heapsnapshot.
 */
import type { ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { getHeapSnapshot } from 'node:v8';

/** Serves a /debug/pprof request; returns false when the path is not one of ours. */
export async function servePprof(url: URL, res: ServerResponse): Promise<boolean> {
  if (!url.pathname.startsWith('/debug/pprof')) return false;
  const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const sub = url.pathname.replace(/^\/debug\/pprof\/?/, '');
  if (sub === '') {
    text(200, 'profiles:\n  profile?seconds=N  V8 CPU profile (.cpuprofile)\n  heap               V8 heap snapshot (.heapsnapshot)\n');
    return true;
  }
  if (sub === 'profile') {
    const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds') ?? '30') || 30, 1), 300);
    const session = new Session();
    session.connect();
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const { profile } = await session.post('Profiler.stop');
      text(200, JSON.stringify(profile), 'application/json');
    } finally {
      session.disconnect();
    }
    return true;
  }
  if (sub === 'heap') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    getHeapSnapshot().pipe(res);
    return true;
  }
  text(404, '404 page not found\n');
  return true;
}
