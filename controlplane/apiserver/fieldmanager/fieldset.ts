/**
 * FieldSet: an immutable set of field paths, stored as a trie, with the set
 * algebra server-side apply needs and the FieldsV1 encoding of
 * `metadata.managedFields[].fieldsV1` (upstream fieldpath.Set).
 *
 * Design notes
 * - A trie node holds *members* (paths that end here) and *children* (paths
 *   that continue). A path can be both: `.spec.containers[name="web"]` is a
 *   member when the item itself is owned and also has children for its
 *   fields. FieldsV1 writes that case as `{".": {}, "f:image": {}}`.
 * - Nodes are keyed by the canonical serialization of their path element
 *   (pathelement.ts), so equality of elements is string equality.
 * - Every operation returns a new set and never changes its operands; empty
 *   child nodes are never kept, so `isEmpty()` is O(1) and two equal sets
 *   serialize identically.
 */
import { comparePE, parsePE, PathElementError, serializePE, type Path, type PathElement } from './pathelement.js';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

/** A FieldsV1 document: `{"f:data": {".": {}, "f:a": {}}}`. */
export type FieldsV1 = { [key: string]: FieldsV1 };

export class FieldSet {
  static readonly empty: FieldSet = new FieldSet(new Map(), new Map());

  private constructor(
    private readonly members: ReadonlyMap<string, PathElement>,
    private readonly children: ReadonlyMap<string, Child>,
  ) {}

  /** The set of the given paths. An empty path (the root) is ignored: the root is never owned. */
  static of(paths: Iterable<Path>): FieldSet {
    const b = new Builder();
    for (const p of paths) b.insert(p);
    return b.build();
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** True when `path` itself is a member (not merely a prefix of one). */
  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      const c = node.children.get(serializePE(path[i]));
      if (!c) return false;
      node = c.set;
    }
    return node.members.has(serializePE(path[path.length - 1]));
  }

  /** True when `pe` (one step below this node) is a member. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePE(pe));
  }

  /** The subset of paths under `pe`, re-rooted at `pe` (upstream Set.WithPrefix). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePE(pe))?.set ?? FieldSet.empty;
  }

  /** Members directly below this node. */
  memberElements(): PathElement[] {
    return [...this.members.values()];
  }

  /** Child nodes directly below this node. */
  childElements(): { pe: PathElement; set: FieldSet }[] {
    return [...this.children.values()];
  }

  insert(path: Path): FieldSet {
    if (path.length === 0) return this;
    const b = Builder.from(this);
    b.insert(path);
    return b.build();
  }

  union(o: FieldSet): FieldSet {
    if (o.isEmpty()) return this;
    if (this.isEmpty()) return o;
    const members = new Map(this.members);
    for (const [k, pe] of o.members) members.set(k, pe);
    const children = new Map(this.children);
    for (const [k, c] of o.children) {
      const mine = children.get(k);
      children.set(k, mine ? { pe: c.pe, set: mine.set.union(c.set) } : c);
    }
    return new FieldSet(members, children);
  }

  intersection(o: FieldSet): FieldSet {
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (o.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs) continue;
      const set = c.set.intersection(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return FieldSet.make(members, children);
  }

  /** Paths of this set that are not paths of `o` (path by path: a member of `o` doesn't remove what lies below it). */
  difference(o: FieldSet): FieldSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!o.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs) {
        children.set(k, c);
        continue;
      }
      const set = c.set.difference(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return FieldSet.make(members, children);
  }

  /**
   * Like difference, but a member of `o` also removes every path below it
   * (upstream RecursiveDifference): used for "ignored" subtrees such as
   * `status`, which nobody owns through the main resource.
   */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!o.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const theirs = o.children.get(k);
      if (!theirs) {
        children.set(k, c);
        continue;
      }
      const set = c.set.recursiveDifference(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return FieldSet.make(members, children);
  }

  equals(o: FieldSet): boolean {
    if (this.members.size !== o.members.size || this.children.size !== o.children.size) return false;
    for (const k of this.members.keys()) if (!o.members.has(k)) return false;
    for (const [k, c] of this.children) {
      const theirs = o.children.get(k);
      if (!theirs || !c.set.equals(theirs.set)) return false;
    }
    return true;
  }

  /**
   * Every member path, in upstream's Set.Iterate order: this node's members
   * (sorted), then each child's paths (children sorted). Conflict lists are
   * reported in this order.
   */
  paths(): Path[] {
    const out: Path[] = [];
    this.collect([], out);
    return out;
  }

  private collect(prefix: Path, out: Path[]): void {
    for (const pe of sortPEs([...this.members.values()])) out.push([...prefix, pe]);
    for (const c of sortChildren([...this.children.values()])) c.set.collect([...prefix, c.pe], out);
  }

  /** The FieldsV1 document of this set (upstream Set.ToJSON), keys in upstream's order. */
  toFieldsV1(): FieldsV1 {
    return this.emit();
  }

  private emit(): FieldsV1 {
    // Members and children interleave in path-element order; an element that
    // is both is written once, with "." first among its contents.
    const entries = new Map<string, { pe: PathElement; member: boolean; child?: FieldSet }>();
    for (const [k, pe] of this.members) entries.set(k, { pe, member: true });
    for (const [k, c] of this.children) {
      const e = entries.get(k);
      if (e) e.child = c.set;
      else entries.set(k, { pe: c.pe, member: false, child: c.set });
    }
    const out: FieldsV1 = {};
    for (const e of [...entries.values()].sort((a, b) => comparePE(a.pe, b.pe))) {
      const key = serializePE(e.pe);
      if (!e.child) out[key] = {};
      else out[key] = e.member ? { '.': {}, ...e.child.emit() } : e.child.emit();
    }
    return out;
  }

  /**
   * Reads a FieldsV1 document (upstream Set.FromJSON). `{}` marks a member,
   * `"."` marks a node that is also a member; keys of unknown kinds are
   * skipped, as upstream does, so a newer server's entries still load.
   * Throws PathElementError for malformed keys or non-object values.
   */
  static fromFieldsV1(doc: unknown): FieldSet {
    if (!isPlainObject(doc)) throw new PathElementError('fieldsV1 must be a JSON object');
    return readNode(doc).children ?? FieldSet.empty;
  }

  private static make(members: Map<string, PathElement>, children: Map<string, Child>): FieldSet {
    return members.size === 0 && children.size === 0 ? FieldSet.empty : new FieldSet(members, children);
  }

  /** For Builder only: wraps maps the builder no longer touches. */
  static fromMaps(members: Map<string, PathElement>, children: Map<string, Child>): FieldSet {
    return FieldSet.make(members, children);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the node's children (undefined when it has none) and whether the node is a member of its parent. */
function readNode(doc: Record<string, unknown>): { children?: FieldSet; member: boolean } {
  let member = false;
  const members = new Map<string, PathElement>();
  const children = new Map<string, Child>();
  for (const [key, value] of Object.entries(doc)) {
    if (key === '.') {
      member = true;
      continue;
    }
    let pe: PathElement;
    try {
      pe = parsePE(key);
    } catch (e) {
      if (e instanceof PathElementError && e.unknownKind) continue;
      throw e;
    }
    if (!isPlainObject(value)) throw new PathElementError(`value of ${JSON.stringify(key)} must be a JSON object`);
    const sub = readNode(value);
    const k = serializePE(pe);
    if (sub.member) members.set(k, pe);
    if (sub.children) children.set(k, { pe, set: sub.children });
  }
  const set = FieldSet.fromMaps(members, children);
  // A node with nothing below it is a leaf member, whether or not it said ".".
  if (set.isEmpty()) return { member: true };
  return { children: set, member };
}

function sortPEs(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePE);
}

function sortChildren(cs: Child[]): Child[] {
  return cs.sort((a, b) => comparePE(a.pe, b.pe));
}

/** Mutable trie used while building one set; frozen into a FieldSet by build(). */
class Builder {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Builder | Child>();

  static from(s: FieldSet): Builder {
    const b = new Builder();
    for (const pe of s.memberElements()) b.members.set(serializePE(pe), pe);
    for (const c of s.childElements()) b.children.set(serializePE(c.pe), { pe: c.pe, set: c.set });
    return b;
  }

  private pe?: PathElement;

  insert(path: Path): void {
    if (path.length === 0) return;
    const head = path[0];
    const k = serializePE(head);
    if (path.length === 1) {
      this.members.set(k, head);
      return;
    }
    let child = this.children.get(k);
    if (!(child instanceof Builder)) {
      // Thaw a frozen child (from `from`) before changing it.
      const b = child ? Builder.from(child.set) : new Builder();
      b.pe = head;
      this.children.set(k, b);
      child = b;
    }
    child.insert(path.slice(1));
  }

  build(): FieldSet {
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      if (c instanceof Builder) {
        const set = c.build();
        if (!set.isEmpty()) children.set(k, { pe: c.pe!, set });
      } else if (!c.set.isEmpty()) {
        children.set(k, c);
      }
    }
    return FieldSet.fromMaps(new Map(this.members), children);
  }
}
