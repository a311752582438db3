import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../support/synth";

/**
 * The docs prove their claims by naming a test or a file of this repository, and link to each other
 * by heading. This keeps those references honest: a renamed test, a moved file or a reworded heading
 * fails here instead of leaving a citation that points at nothing. No network: links to other sites
 * are not fetched.
 */

const DOCS = [
  "README.md",
  ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  "image/README.md",
];

/** Paths of this repository a doc may name in backticks (upstream paths such as `server/...` are not ours). */
const REPO_PATH = /`((?:__tests__|constructs|synth|config|stacks|scripts|image|environments)\/[^`\s]*)`/g;

/** GitHub's heading anchor: lower case, markup and punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function read(relative: string): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8");
}

/** Markdown outside fenced code blocks (a link in a code sample is not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^\s*(```|~~~)[\s\S]*?^\s*\1.*$/gm, "");
}

describe("headingAnchors", () => {
  test("follows GitHub's slugs", () => {
    const anchors = headingAnchors(
      "# A\n### Deploying: one stack, or several in order\n## What `<env>-workspaces` creates\n" +
        "### Destroy `<env>-database`: Mattermost's database and role are protected\n## A\n```sh\n# not a heading\n```\n",
    );
    expect([...anchors]).toEqual([
      "a",
      "deploying-one-stack-or-several-in-order",
      "what-env-workspaces-creates",
      "destroy-env-database-mattermosts-database-and-role-are-protected",
      "a-1",
    ]);
  });
});

describe.each(DOCS.map((doc) => [doc]))("%s", (doc) => {
  const text = prose(read(doc));

  test("every link into the repository resolves, #anchor included", () => {
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      const [file, anchor] = target.split("#", 2);
      const resolved = file === "" ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), file));
      if (!fs.existsSync(path.join(PROJECT_ROOT, resolved))) {
        broken.push(`${target}: no file ${resolved}`);
      } else if (anchor !== undefined && resolved.endsWith(".md") && !headingAnchors(read(resolved)).has(anchor)) {
        broken.push(`${target}: no heading with anchor #${anchor} in ${resolved}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("every repository path it names exists", () => {
    const missing = [...text.matchAll(REPO_PATH)]
      .map((m) => m[1])
      .filter((p) => !/[<>*]/.test(p)) // placeholders such as environments/<env>.yaml
      .filter((p) => !fs.existsSync(path.join(PROJECT_ROOT, p)));
    expect(missing).toEqual([]);
  });

  test("every test title it quotes after a test file is in that file", () => {
    const missing: string[] = [];
    for (const [, file, title] of text.matchAll(/`(__tests__\/[^`]+\.test\.ts)`\s*\(\s*"([^"]+)"\s*\)/g)) {
      if (!read(file).includes(title)) missing.push(`${file}: "${title}"`);
    }
    expect(missing).toEqual([]);
  });
});
