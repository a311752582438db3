import { imageReferenceProblem } from "../../config/schema/common";
import { mattermostSchema } from "../../config/schema/mattermost";
import { imageHash } from "../../constructs/app/migration-job";
import { localInput, rejectionsOf } from "../support/synth";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("image references name a tag or a digest", () => {
  test.each([
    ["mattermost/mattermost-team-edition", /names no tag or digest, so the runtime would pull :latest/],
    ["registry.example.com:5000/chat/mattermost", /names no tag or digest/],
    ["mattermost/mattermost-team-edition:latest", /is :latest, which changes under you/],
    ["Mattermost/Team:10", /must be an image reference/],
  ])("%s is refused", (image, message) => {
    const input = localInput();
    input.mattermost.image = image;
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(new RegExp(`dev\\.yaml: mattermost\\.image: ${message.source}`))]);
  });

  test.each([
    "mattermost/mattermost-team-edition:10.11.4",
    `mattermost/mattermost-team-edition@${DIGEST}`,
    `mattermost/mattermost-team-edition:10.11.4@${DIGEST}`,
    `registry.example.com:5000/chat/mattermost:10.11.4-patched`,
    `ghcr.io/acme/mattermost:latest@${DIGEST}`,
  ])("%s is accepted", (image) => {
    expect(imageReferenceProblem(image)).toBeUndefined();
  });

  test("the SAML certificate uploader's default image is pinned by digest, and its override is checked too", () => {
    const enterprise = { image: "mattermost/mattermost-enterprise-edition:10.11.4", licensed: true, siteUrl: "https://chat.test" };
    const saml = mattermostSchema.parse({ ...localInput().mattermost, ...enterprise, saml: { preset: "ubuntu-sso" } }).saml!;
    expect(saml.certificateUploaderImage).toMatch(/^postgres:17\.11-alpine@sha256:[a-f0-9]{64}$/);
    const input = localInput();
    Object.assign(input.mattermost, { ...enterprise, saml: { preset: "ubuntu-sso", certificateUploaderImage: "postgres" } });
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(/mattermost\.saml\.certificateUploaderImage: names no tag or digest/)]);
  });

  test.each(["extraContainers", "extraInitContainers"])("%s: an image without a tag or digest, or :latest, is refused like mattermost.image", (key) => {
    const input = localInput();
    (input.mattermost as any)[key] = [{ name: "helper", image: "busybox" }];
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(new RegExp(`dev\\.yaml: mattermost\\.${key}\\.0\\.image: names no tag or digest, so the runtime would pull :latest`))]);
    (input.mattermost as any)[key] = [{ name: "helper", image: "busybox:latest" }];
    expect(rejectionsOf({ "dev.yaml": input })).toEqual([expect.stringMatching(new RegExp(`mattermost\\.${key}\\.0\\.image: is :latest`))]);
  });

  test("the migration Job follows the image string: a re-pushed tag is the same Job, a new digest a new one", () => {
    expect(imageHash("mattermost/mattermost-team-edition:10.11.4")).toBe(imageHash("mattermost/mattermost-team-edition:10.11.4"));
    expect(imageHash(`mattermost/mattermost-team-edition:10.11.4@${DIGEST}`)).not.toBe(imageHash(`mattermost/mattermost-team-edition:10.11.4@sha256:${"f".repeat(64)}`));
  });
});
