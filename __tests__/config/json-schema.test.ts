import * as fs from "fs";
import * as path from "path";
import { environmentJsonSchema } from "../../config/json-schema";
import { SHIPPED_ENVIRONMENTS } from "../support/synth";

describe("environments/schema.json", () => {
  const file = path.join(SHIPPED_ENVIRONMENTS, "schema.json");

  test("is generated from the schema synth validates with (run `npm run schema` when this fails)", () => {
    expect(fs.readFileSync(file, "utf8")).toBe(environmentJsonSchema());
  });

  test("describes every section and rejects unknown keys, as synth does", () => {
    const schema = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["backend", "aws", "kubernetes", "database", "storage", "mattermost"]));
    expect(schema.required).toEqual(expect.arrayContaining(["backend", "database", "storage", "mattermost"]));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.mattermost.additionalProperties).toBe(false);
  });

  test.each(fs.readdirSync(SHIPPED_ENVIRONMENTS).filter((f) => f.endsWith(".yaml")))("%s points editors at it", (name) => {
    const firstLine = fs.readFileSync(path.join(SHIPPED_ENVIRONMENTS, name), "utf8").split("\n")[0];
    expect(firstLine).toBe("# yaml-language-server: $schema=./schema.json");
  });
});
