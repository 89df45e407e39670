/**
 * GET /apis/metrics.k8s.io/v1beta1/{nodes[/name], pods, namespaces/ns/pods[/name]}:
 * NodeMetrics and PodMetrics computed on request from the kubelets' Summary
 * API (what metrics-server serves through aggregation upstream). The nodes
 * involved are read concurrently through the kubelet client of the node
 * proxy, each within --kubelet-timeout; a kubelet that cannot be read is left
 * out, as metrics-server leaves out nodes it failed to scrape. Label (and
 * simple field) selectors are matched against the Node/Pod objects.
 */
import { apiErrors, StatusError } from '../../machinery/errors.js';
import { parseSelector, type Selector } from '../../machinery/labels.js';
import { kubeletGetJSON, kubeletTarget, type KubeletClientConfig } from '../kubeletproxy.js';
import type { Obj } from '../registry/types.js';
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION, nodeMetrics, podMetrics, podStatsByKey, type NodeMetrics, type PodMetrics, type Summary } from './convert.js';
import { metricsGroupDoc, metricsResourceList } from './discovery.js';

/** Where Node and Pod objects come from (the API server's registries). */
export interface MetricsObjects {
  listNodes(): Promise<Obj[]>;
  /** ns '' lists every namespace. */
  listPods(ns: string): Promise<Obj[]>;
  getNode(name: string): Promise<Obj | undefined>;
  getPod(ns: string, name: string): Promise<Obj | undefined>;
}

export interface MetricsApiOptions {
  objects: MetricsObjects;
  kubelet: KubeletClientConfig;
  /** Fetches one kubelet's Summary (default: GET /stats/summary through the kubelet client). */
  fetchSummary?: (node: Obj) => Promise<Summary>;
  /** Told about each kubelet that could not be read. */
  onScrapeError?: (node: string, err: Error) => void;
  now?: () => Date;
}

const SUMMARY_PATH = '/stats/summary?only_cpu_and_memory=true';

type Rec = Record<string, unknown>;

interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

const notFoundResource = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource');

/** Whether a path (split into segments, no empty ones) belongs to this API. */
export function isMetricsPath(segs: readonly string[]): boolean {
  return segs[0] === 'apis' && segs[1] === METRICS_GROUP;
}

function labelsOf(o: Obj): Record<string, string> | undefined {
  const l = o.metadata?.labels as Record<string, string> | undefined;
  return l && Object.keys(l).length ? l : undefined;
}

function fieldValue(o: Obj, path: string): string {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Rec)[p] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

function parseFieldSelector(s: string | null): FieldRequirement[] {
  if (!s) return [];
  const out: FieldRequirement[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (!m) throw apiErrors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] });
  }
  return out;
}

export class MetricsApi {
  private readonly now: () => Date;
  private readonly fetchSummary: (node: Obj) => Promise<Summary>;

  constructor(private readonly opts: MetricsApiOptions) {
    this.now = opts.now ?? (() => new Date());
    this.fetchSummary = opts.fetchSummary ?? ((node) => kubeletGetJSON(kubeletTarget(node, opts.kubelet), SUMMARY_PATH, opts.kubelet) as Promise<Summary>);
  }

  /** Answers a request under /apis/metrics.k8s.io (the JSON body of a 200), or throws a StatusError. */
  async serve(method: string, segs: readonly string[], q: URLSearchParams): Promise<unknown> {
    if (segs.length === 2) return metricsGroupDoc;
    if (segs[2] !== METRICS_VERSION) throw notFoundResource();
    if (segs.length === 3) return metricsResourceList;
    const rest = segs.slice(3);
    let ns = '';
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1];
      rest.splice(0, 2);
    }
    const [resource, name, ...extra] = rest;
    if (extra.length || (resource !== 'nodes' && resource !== 'pods') || (resource === 'nodes' && ns)) throw notFoundResource();
    if (method !== 'GET' && method !== 'HEAD') throw apiErrors.methodNotAllowed('the server does not allow this method on the requested resource');
    if (q.get('watch') === 'true' || q.get('watch') === '1') throw apiErrors.methodNotAllowed('the server does not allow this method on the requested resource');
    if (resource === 'nodes') return name ? this.getNode(name) : this.listNodes(q);
    return name ? this.getPod(ns, name) : this.listPods(ns, q);
  }

  private selectors(q: URLSearchParams): { labels?: Selector; fields: FieldRequirement[] } {
    let labels: Selector | undefined;
    const ls = q.get('labelSelector');
    if (ls) {
      try {
        labels = parseSelector(ls);
      } catch (e) {
        throw apiErrors.badRequest(`unable to parse requirement: ${(e as Error).message}`);
      }
    }
    return { labels, fields: parseFieldSelector(q.get('fieldSelector')) };
  }

  private static matches(o: Obj, sel: { labels?: Selector; fields: FieldRequirement[] }): boolean {
    if (sel.labels && !sel.labels.matches(o.metadata?.labels as Record<string, string> | undefined)) return false;
    return sel.fields.every((f) => (fieldValue(o, f.field) === f.value) === (f.op === '='));
  }

  /** The Summaries of these nodes, fetched concurrently; unreadable kubelets are left out. */
  private async summaries(nodes: readonly Obj[]): Promise<Map<string, Summary>> {
    const out = new Map<string, Summary>();
    await Promise.all(
      nodes.map(async (n) => {
        const name = n.metadata?.name ?? '';
        try {
          const s = await this.fetchSummary(n);
          if (s && typeof s === 'object' && s.node) out.set(name, s);
          else throw new Error('the kubelet sent no node stats');
        } catch (e) {
          this.opts.onScrapeError?.(name, e as Error);
        }
      }),
    );
    return out;
  }

  private async nodeMetricsFor(nodes: readonly Obj[]): Promise<NodeMetrics[]> {
    const sums = await this.summaries(nodes);
    const now = this.now();
    const out: NodeMetrics[] = [];
    for (const n of nodes) {
      const name = n.metadata?.name ?? '';
      const s = sums.get(name);
      const m = s && nodeMetrics({ name, labels: labelsOf(n) }, s, now);
      if (m) out.push(m);
    }
    return out;
  }

  private async podMetricsFor(pods: readonly Obj[]): Promise<PodMetrics[]> {
    const nodeNames = new Set<string>();
    for (const p of pods) {
      const nodeName = (p.spec as Rec | undefined)?.nodeName;
      if (typeof nodeName === 'string' && nodeName) nodeNames.add(nodeName);
    }
    const nodes = (await Promise.all([...nodeNames].map((n) => this.opts.objects.getNode(n)))).filter((n): n is Obj => Boolean(n));
    const stats = podStatsByKey((await this.summaries(nodes)).values());
    const now = this.now();
    const out: PodMetrics[] = [];
    for (const p of pods) {
      const ns = p.metadata?.namespace ?? '';
      const name = p.metadata?.name ?? '';
      const s = stats.get(`${ns}/${name}`);
      const m = s && podMetrics({ name, namespace: ns, labels: labelsOf(p) }, s, now);
      if (m) out.push(m);
    }
    return out;
  }

  private async listNodes(q: URLSearchParams): Promise<unknown> {
    const sel = this.selectors(q);
    const nodes = (await this.opts.objects.listNodes()).filter((n) => MetricsApi.matches(n, sel));
    return { kind: 'NodeMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items: await this.nodeMetricsFor(nodes) };
  }

  private async getNode(name: string): Promise<unknown> {
    const node = await this.opts.objects.getNode(name);
    const [m] = node ? await this.nodeMetricsFor([node]) : [];
    if (!m) throw apiErrors.notFound(METRICS_GROUP, 'nodemetrics', name);
    return m;
  }

  private async listPods(ns: string, q: URLSearchParams): Promise<unknown> {
    const sel = this.selectors(q);
    const pods = (await this.opts.objects.listPods(ns)).filter((p) => MetricsApi.matches(p, sel));
    return { kind: 'PodMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items: await this.podMetricsFor(pods) };
  }

  private async getPod(ns: string, name: string): Promise<unknown> {
    const pod = await this.opts.objects.getPod(ns, name);
    const [m] = pod ? await this.podMetricsFor([pod]) : [];
    if (!m) throw apiErrors.notFound(METRICS_GROUP, 'podmetrics', name);
    return m;
  }
}
