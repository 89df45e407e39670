// resolveSubPath: upstream's refusals (absolute, '..', symlinks out of the
// volume) and safe creation of missing directories.
import test from 'ava';
import { chmod, mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSubPath, SubPathError } from '../../../../agent/kubelet/volumes/subpath.js';

let root = '';
let vol = '';

test.before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'kubets-subpath-')));
  vol = join(root, 'vol');
  await mkdir(join(vol, 'inside/deep'), { recursive: true });
  await chmod(vol, 0o750);
  await writeFile(join(vol, 'inside/file'), 'x');
  await mkdir(join(root, 'outside'));
  await symlink('/etc', join(vol, 'abs-escape'));
  await symlink('../outside', join(vol, 'rel-escape'));
  await symlink('inside', join(vol, 'ok-link'));
  await symlink('missing-target', join(vol, 'dangling'));
});

test.after.always(() => rm(root, { recursive: true, force: true }));

const refused: [string, string][] = [
  ['/etc', 'error SubPath `/etc` must not be an absolute path'],
  ['a/../../etc', "unable to provision SubPath `a/../../etc`: must not contain '..'"],
  ['..', "unable to provision SubPath `..`: must not contain '..'"],
];
for (const [sub, msg] of refused) {
  test(`subPath ${sub} is refused`, async (t) => {
    await t.throwsAsync(resolveSubPath(vol, sub), { instanceOf: SubPathError, message: msg });
  });
}

for (const sub of ['abs-escape', 'abs-escape/passwd', 'rel-escape', 'rel-escape/x', 'dangling']) {
  test(`a symlink out of the volume is refused: ${sub}`, async (t) => {
    const e = await t.throwsAsync(resolveSubPath(vol, sub), { instanceOf: SubPathError });
    t.regex(e!.message, /not within volume path/);
  });
}

test('paths inside resolve to their real path; links within the volume are fine', async (t) => {
  t.is(await resolveSubPath(vol, 'inside/file'), join(vol, 'inside/file'));
  t.is(await resolveSubPath(vol, 'ok-link/deep'), join(vol, 'inside/deep'));
  t.is(await resolveSubPath(vol, './inside//deep/'), join(vol, 'inside/deep'));
  t.is(await resolveSubPath(vol, ''), vol);
});

test('missing directories are created with the volume root\'s mode; create:false refuses instead', async (t) => {
  const p = await resolveSubPath(vol, 'new/a/b');
  t.is(p, join(vol, 'new/a/b'));
  t.is((await stat(p)).mode & 0o7777, 0o750);
  t.is((await stat(join(vol, 'new'))).mode & 0o7777, 0o750);
  await t.throwsAsync(resolveSubPath(vol, 'other/x', { create: false }), { instanceOf: SubPathError });
});
