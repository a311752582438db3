import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";

/** Free space /dev/shm must have for the tests to use it (they keep well under a tenth of it). */
const SHM_ROOM = 2 * 1024 ** 3;

/**
 * Where the test files' temporary folders go: /dev/shm (tmpfs, in memory) when it is there,
 * writable and has room, else the system temp folder. The suite creates and removes tens of
 * thousands of files (every synth writes cdktf.out/, every terraform run its state); on tmpfs that
 * costs a fraction of the kernel time it costs on a disk file system (measured on the 2-core
 * machine, whose /tmp many runs share: 2 to 4 s less system CPU for a whole run). Kept free of
 * imports beyond Node's: the jest environment loads it in every worker.
 */
export function testTempBase(): string {
  try {
    const { bavail, bsize } = fs.statfsSync("/dev/shm");
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    if (bavail * bsize >= SHM_ROOM) return "/dev/shm";
  } catch {
    // no /dev/shm (not Linux) or not ours to write: the system temp folder
  }
  const fallback = os.tmpdir();
  // Every test file's folder goes here: a clear message now beats a mkdtemp error in each file.
  assert.ok(writableFolder(fallback), `The tests need a writable temporary folder; ${fallback} is not one: set TMPDIR to a folder you can write`);
  return fallback;
}

function writableFolder(folder: string): boolean {
  try {
    fs.accessSync(folder, fs.constants.W_OK);
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}
