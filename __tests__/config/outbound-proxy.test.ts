import { environment, localInput, onlyResource, rejectionsOf, resources, synthEnvironments } from "../support/synth";

/**
 * `mattermost.outboundProxy` never carries credentials (they would sit in clear in the Deployment,
 * the plan and the state); a proxy that wants a password gets the URL with credentials from a Secret
 * through envValueFrom HTTP_PROXY / HTTPS_PROXY, beside the credential-free outboundProxy.
 */

function withProxy(mattermost: Record<string, unknown>): any {
  const input = localInput();
  input.mattermost = { ...input.mattermost, ...mattermost };
  return input;
}

const FROM_SECRET = { secretKeyRef: { name: "proxy", key: "url" } };

describe("mattermost.outboundProxy with credentials", () => {
  test("is refused at the schema, naming the key and the fix, without repeating the password", () => {
    const problems = rejectionsOf({ "dev.yaml": withProxy({ outboundProxy: "http://chat:s3cret@proxy.example.com:3128" }) });
    expect(problems).toEqual([
      expect.stringMatching(
        /dev\.yaml: mattermost\.outboundProxy: holds credentials \(http:\/\/\*\*\*@proxy\.example\.com:3128\), which would sit in clear in the Deployment, the plan and the state; write it without them \(outboundProxy: http:\/\/proxy\.example\.com:3128\) and give the URL with credentials from a Secret: envValueFrom: \{ HTTP_PROXY: \{ secretKeyRef: .* HTTPS_PROXY: \{ secretKeyRef: /,
      ),
    ]);
    expect(problems.join("\n")).not.toContain("s3cret");
  });

  test("a user name alone is refused too", () => {
    expect(rejectionsOf({ "dev.yaml": withProxy({ outboundProxy: "https://chat@proxy.example.com" }) })).toEqual([
      expect.stringMatching(/mattermost\.outboundProxy: holds credentials .*\(outboundProxy: https:\/\/proxy\.example\.com\)/),
    ]);
  });

  test("envValueFrom HTTP_PROXY without outboundProxy is refused: the policy and Mattermost's dialer need the proxy named", () => {
    expect(rejectionsOf({ "dev.yaml": withProxy({ envValueFrom: { HTTP_PROXY: FROM_SECRET } }) })).toEqual([
      expect.stringMatching(/dev\.yaml: mattermost\.envValueFrom\.HTTP_PROXY: gives the outbound proxy's URL, but mattermost\.outboundProxy does not name the proxy; set mattermost\.outboundProxy to its URL without credentials/),
    ]);
  });
});

describe("the fix: the URL with credentials from a Secret", () => {
  const stacks = synthEnvironments([
    environment("dev", withProxy({ outboundProxy: "http://proxy.example.com:3128", envValueFrom: { HTTP_PROXY: FROM_SECRET, HTTPS_PROXY: FROM_SECRET } })),
    environment("lower", withProxy({ outboundProxy: "http://proxy.example.com:3128", envValueFrom: { https_proxy: FROM_SECRET } })),
  ]);

  function envOf(stack: any): any[] {
    return onlyResource(stack, "kubernetes_deployment_v1").spec.template.spec.container.find((c: any) => c.name === "mattermost").env;
  }

  test("HTTP_PROXY and HTTPS_PROXY come from the Secret only, in the server and in the migration Job (the security policy passed)", () => {
    const [migration] = resources(stacks["dev-app"], "kubernetes_job_v1");
    for (const env of [envOf(stacks["dev-app"]), migration.spec.template.spec.container[0].env]) {
      const proxy = env.filter((e: any) => /^https?_proxy$/i.test(e.name));
      expect(proxy).toEqual([
        { name: "HTTP_PROXY", value_from: { secret_key_ref: { name: "proxy", key: "url" } } },
        { name: "HTTPS_PROXY", value_from: { secret_key_ref: { name: "proxy", key: "url" } } },
      ]);
    }
  });

  test("outboundProxy still names the proxy: its port is open and Mattermost's dialer may reach its host", () => {
    const egress = resources(stacks["dev-app"], "kubernetes_network_policy_v1").find((p) => p.spec.pod_selector.match_labels?.["app.kubernetes.io/component"] === "server").spec.egress;
    expect(egress.flatMap((rule: any) => (rule.ports ?? []).map((p: any) => p.port))).toContain("3128");
    const untrusted = envOf(stacks["dev-app"]).find((e: any) => e.name === "MM_SERVICESETTINGS_ALLOWEDUNTRUSTEDINTERNALCONNECTIONS");
    expect(untrusted.value).toBe("proxy.example.com");
  });

  test("a lower-case name from the Secret replaces its literal too (Go reads HTTPS_PROXY before https_proxy)", () => {
    const proxy = envOf(stacks["lower-app"]).filter((e: any) => /^https?_proxy$/i.test(e.name));
    expect(proxy).toEqual([
      { name: "HTTP_PROXY", value: "http://proxy.example.com:3128" },
      { name: "https_proxy", value_from: { secret_key_ref: { name: "proxy", key: "url" } } },
    ]);
  });
});

test("a proxy URL that does not parse is reported, not a crash", () => {
  const problems = rejectionsOf({ "dev.yaml": withProxy({ outboundProxy: "http://user:pw@[bad" }) });
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) expect(problem).toMatch(/mattermost\.outboundProxy: /);
  expect(problems.join("\n")).not.toContain(":pw@");
});
