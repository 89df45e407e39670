// hostPath type checks, table-driven, with upstream's messages.
import test from 'ava';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostPathType } from '../../../../controlplane/api/core/v1/types.js';
import { checkHostPathType } from '../../../../agent/kubelet/volumes/hostpath.js';

let root = '';
let sock: Server;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'kubets-hostpath-'));
  await mkdir(join(root, 'dir'));
  await writeFile(join(root, 'file'), 'x');
  sock = createServer();
  await new Promise<void>((r) => sock.listen(join(root, 'sock'), r));
});

test.after.always(async () => {
  await new Promise<void>((r) => sock.close(() => r()));
  await rm(root, { recursive: true, force: true });
});

const cases: { name: string; path: string; type: HostPathType | undefined; error?: string }[] = [
  { name: 'empty type checks nothing', path: 'missing', type: '' },
  { name: 'undefined type checks nothing', path: 'missing', type: undefined },
  { name: 'Directory on a directory', path: 'dir', type: 'Directory' },
  { name: 'Directory on a file', path: 'file', type: 'Directory', error: "hostPath type check failed: {root}/file is not a directory, it's a File" },
  { name: 'Directory missing', path: 'nope', type: 'Directory', error: "hostPath {root}/nope doesn't exist" },
  { name: 'File on a file', path: 'file', type: 'File' },
  { name: 'File on a directory', path: 'dir', type: 'File', error: "hostPath type check failed: {root}/dir is not a file, it's a Directory" },
  { name: 'Socket on a socket', path: 'sock', type: 'Socket' },
  { name: 'Socket on a file', path: 'file', type: 'Socket', error: "hostPath type check failed: {root}/file is not a socket file, it's a File" },
  { name: 'CharDevice on /dev/null', path: '/dev/null', type: 'CharDevice' },
  { name: 'BlockDevice on /dev/null', path: '/dev/null', type: 'BlockDevice', error: "hostPath type check failed: /dev/null is not a block device, it's a CharDevice" },
  { name: 'CharDevice on a directory', path: 'dir', type: 'CharDevice', error: "hostPath type check failed: {root}/dir is not a character device, it's a Directory" },
  { name: 'DirectoryOrCreate on a file', path: 'file', type: 'DirectoryOrCreate', error: "hostPath type check failed: {root}/file is not a directory, it's a File" },
  { name: 'FileOrCreate on a directory', path: 'dir', type: 'FileOrCreate', error: "hostPath type check failed: {root}/dir is not a file, it's a Directory" },
  { name: 'an unknown type', path: 'dir', type: 'Fifo' as HostPathType, error: 'Fifo is an invalid volume type' },
];

for (const tc of cases) {
  test(`hostPath ${tc.name}`, async (t) => {
    const path = tc.path.startsWith('/') ? tc.path : join(root, tc.path);
    if (tc.error) await t.throwsAsync(checkHostPathType(path, tc.type), { message: tc.error.replaceAll('{root}', root) });
    else await t.notThrowsAsync(checkHostPathType(path, tc.type));
  });
}

test('DirectoryOrCreate makes the directory with its parents, 0755', async (t) => {
  const p = join(root, 'made/deep/dir');
  await checkHostPathType(p, 'DirectoryOrCreate');
  const st = await stat(p);
  t.true(st.isDirectory());
  t.is(st.mode & 0o777, 0o755);
});

test('FileOrCreate makes an empty 0644 file, but not a missing parent (as upstream)', async (t) => {
  const p = join(root, 'made-file');
  await checkHostPathType(p, 'FileOrCreate');
  const st = await stat(p);
  t.true(st.isFile());
  t.is(st.size, 0);
  t.is(st.mode & 0o777, 0o644);
  await t.throwsAsync(checkHostPathType(join(root, 'no-parent/f'), 'FileOrCreate'));
});
