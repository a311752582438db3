import { TerraformStack, Testing } from "cdktf";
import { MattermostIngress, MattermostIngressProps } from "../../../constructs/app/mattermost-ingress";

const PROPS: MattermostIngressProps = { environmentName: "test", namespace: "mattermost", siteUrl: "https://chat.test", serviceName: "mattermost-test", allowedSourceRanges: [], maxFileSizeMb: 100 };

function ingressOf(props: MattermostIngressProps): any {
  const stack = new TerraformStack(Testing.app(), "test");
  new MattermostIngress(stack, "ingress", props);
  return Object.values<any>(JSON.parse(Testing.synth(stack)).resource.kubernetes_ingress_v1)[0];
}

describe("MattermostIngress", () => {
  test("routes the whole host to Mattermost", () => {
    const ingress = ingressOf(PROPS);
    expect(ingress.spec.rule).toEqual([
      { host: "chat.test", http: { path: [{ path: "/", path_type: "Prefix", backend: { service: { name: "mattermost-test", port: { number: 8065 } } } }] } },
    ]);
  });

  test.each([["https://chat.test/mattermost"], ["https://chat.test/?a=b"], ["https://chat.test/#x"]])("refuses a site URL that is not the root of its host: %s", (siteUrl) => {
    expect(() => ingressOf({ ...PROPS, siteUrl })).toThrow(/siteUrl must have no path, query or fragment/);
  });
});
