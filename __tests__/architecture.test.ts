import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "./support/synth";

// The tree is the architecture (DESIGN.md, "The shape"): a construct serves one stack and reaches
// only its own folder, the offers (the contract between stacks), the shared helpers and config/.
// stacks/ composes constructs; nothing below constructs/ reaches back into stacks/ or synth/.

const CONSTRUCTS = path.join(PROJECT_ROOT, "constructs");
const COMMON = ["offers", "shared"];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Project-relative paths of the project modules a file imports (relative specifiers only). */
function localImports(file: string): string[] {
  const source = fs.readFileSync(file, "utf8");
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specifiers.map((s) => path.relative(PROJECT_ROOT, path.resolve(path.dirname(file), s)));
}

const domains = fs
  .readdirSync(CONSTRUCTS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe("constructs/ is grouped by the stack each construct serves", () => {
  test("no construct sits loose at the top of constructs/", () => {
    const loose = fs.readdirSync(CONSTRUCTS).filter((name) => name.endsWith(".ts"));
    expect(loose).toEqual([]);
  });

  test("the folders are the offers, the shared helpers and one per stack concern", () => {
    expect(domains.sort()).toEqual(["app", "database", "offers", "shared", "storage", "terraform-cloud"]);
  });

  test.each(domains)("constructs/%s imports only its own folder, the offers, shared and config/", (domain) => {
    const allowed = (target: string): boolean => {
      if (target.startsWith("config/") || target === "config") return true;
      const [top, folder] = target.split(path.sep);
      if (top !== "constructs") return false;
      if (folder === domain) return true;
      // The helpers stay below the contract: shared imports nothing of the offers or a stack's folder.
      if (domain === "shared") return false;
      return COMMON.includes(folder) && !(domain === "offers" && folder !== "shared");
    };
    const offending = tsFiles(path.join(CONSTRUCTS, domain)).flatMap((file) =>
      localImports(file)
        .filter((target) => !allowed(target))
        .map((target) => `${path.relative(PROJECT_ROOT, file)} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  test("stacks/ imports constructs, never the reverse; config/ imports neither", () => {
    const reverse = [...tsFiles(CONSTRUCTS), ...tsFiles(path.join(PROJECT_ROOT, "config"))].flatMap((file) =>
      localImports(file)
        .filter((target) => target.startsWith("stacks") || target.startsWith("synth") || (file.includes(`${path.sep}config${path.sep}`) && target.startsWith("constructs")))
        .map((target) => `${path.relative(PROJECT_ROOT, file)} -> ${target}`),
    );
    expect(reverse).toEqual([]);
  });

  test("tests mirror the tree: every construct folder with tests has its tests under __tests__/constructs/<folder>", () => {
    const testDirs = fs.readdirSync(path.join(PROJECT_ROOT, "__tests__", "constructs"));
    for (const dir of testDirs) expect(domains).toContain(dir);
  });
});
