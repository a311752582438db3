import { mattermostSchema, PSQL_IMAGE, samlSchema } from "../../config/schema/mattermost";

/**
 * The psql image of the config-store Jobs receives the database owner's connection string, so its
 * default is pinned by digest, and that digest is the one Docker's official-images tooling recorded
 * for the tag: docker-library/repo-info, repos/postgres/remote/17.11-alpine.md, commit
 * 14ad5cc17dd0e9a01079feefc7a59c24536f5291 ("docker pull postgres@sha256:b0f9560a..."; manifest
 * type application/vnd.oci.image.index.v1+json, the multi-platform index).
 */
describe("the psql image default", () => {
  test("is a name:tag@sha256:<64 hex> reference", () => {
    expect(PSQL_IMAGE).toMatch(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*:[\w][\w.-]{0,127}@sha256:[a-f0-9]{64}$/);
  });

  test("is postgres:17.11-alpine at the index digest repo-info records for it", () => {
    expect(PSQL_IMAGE).toBe("postgres:17.11-alpine@sha256:b0f9560a2de083e2cc7382e75f808c7381a32852a7ec49117deedb300e552b24");
  });

  test("is what both config-store Jobs get when the file names no image", () => {
    const { configJobImage } = mattermostSchema.parse({ image: "mattermost/mattermost-team-edition:10.11.4", siteUrl: "http://chat.test" });
    const { certificateUploaderImage } = samlSchema.parse({ preset: "ubuntu-sso" });
    expect([configJobImage, certificateUploaderImage]).toEqual([PSQL_IMAGE, PSQL_IMAGE]);
  });
});
